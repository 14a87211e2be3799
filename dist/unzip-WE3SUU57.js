import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  require_unzip
} from "./chunk-TAOEYZP2.js";
import "./chunk-VA35IVHB.js";
export default require_unzip();
