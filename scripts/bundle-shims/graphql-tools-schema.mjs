// Stands in for @graphql-tools/schema in the CLI bundle: Apollo Server imports it only to build a
// schema from `typeDefs`, and the emulator passes it a built one (graphql/server.ts). Leaving it out
// leaves out @graphql-tools/merge and /utils too: 90 KiB fewer to load on the first /graphql request.
export function makeExecutableSchema() {
  throw new Error('guuru-emulator passes Apollo Server a built schema (src/graphql/server.ts), never typeDefs');
}
