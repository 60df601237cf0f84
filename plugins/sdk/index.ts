/**
 * Everything a broker plugin author imports: `import { ... } from "../sdk"`.
 *
 * @module
 */
export * from "./contract";
export * from "./decimal";
export * from "./errors";
export * from "./models";
