// Stands in for mime-types in the CLI bundle: the same module, evaluated on its first call. Loading
// it parses mime-db (150 KiB of JSON) and builds its maps, ~5 ms of every start, while Express needs
// it only to name a response's type or to match a request's (res.type, express.json()'s type check).
let real;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the require inside a function is what defers it
const load = () => (real ??= require('mime-types'));

module.exports = {
  charset: (type) => load().charset(type),
  get charsets() {
    return load().charsets;
  },
  contentType: (str) => load().contentType(str),
  extension: (type) => load().extension(type),
  get extensions() {
    return load().extensions;
  },
  lookup: (path) => load().lookup(path),
  get types() {
    return load().types;
  },
};
