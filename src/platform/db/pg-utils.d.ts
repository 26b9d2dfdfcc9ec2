// node-postgres converts a parameter to the text it sends with this (not in @types/pg).
declare module 'pg/lib/utils.js' {
  export function prepareValue(value: unknown): unknown;
}
