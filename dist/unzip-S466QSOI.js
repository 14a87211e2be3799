import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_unzip
} from "./chunk-BGMJUST5.js";
import "./chunk-LQK3ML4U.js";
export default require_unzip();
