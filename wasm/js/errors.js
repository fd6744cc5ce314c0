// The one way this package turns an error a module left (`takeError`: JSON
// `{code, message, path?}`) into the `Error` it throws. Both loaders (the
// runtime's index.js and the authoring module's authoring-module.js) import
// it, and it imports nothing, so neither loader imports the other.

/** The `Error` for an error's JSON as a module left it ("" when none). */
export function leftError(json) {
  const e = JSON.parse(json || '{"code":"internal","message":"a call failed without an error"}');
  const error = new Error(e.message);
  error.code = e.code;
  if (e.path !== undefined) error.path = e.path;
  return error;
}
