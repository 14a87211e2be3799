import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_archiver
} from "./chunk-E6XD27BF.js";
import "./chunk-VA35IVHB.js";
export default require_archiver();
