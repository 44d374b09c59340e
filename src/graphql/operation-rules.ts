import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * The Admin API has queries and mutations only. graphql-js accepts a `subscription` operation in
 * validation and fails it at execution as an internal error; this refuses it as the client
 * mistake it is, with where to look instead.
 */
export const noSubscriptionsRule: ValidationRule = (context) => ({
  OperationDefinition(node) {
    if (node.operation !== 'subscription') return;
    context.reportError(
      new GraphQLError(
        'The GUURU Admin API has no subscriptions (its schema defines queries and mutations only). To hear about changes, subscribe to its webhooks (PUT /_emulator/webhooks, see docs/webhooks.md).',
        { nodes: node, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'SUBSCRIPTIONS_UNSUPPORTED' } },
      ),
    );
  },
});
