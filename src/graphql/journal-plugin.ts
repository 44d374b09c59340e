import type { ApolloServerPlugin } from '@apollo/server';
import {
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { JournalNotes } from '../journal/http-recorder.js';
import type { RequestField } from '../journal/request-journal.js';
import type { GraphQLContext } from './context.js';

/** The top-level fields of an operation, fragments at the top level included. */
function topLevelFields(selectionSet: SelectionSetNode, document: DocumentNode, seen = new Set<string>()): FieldNode[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return topLevelFields(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return [];
    seen.add(name);
    const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === name);
    return fragment && fragment.kind === Kind.FRAGMENT_DEFINITION
      ? topLevelFields(fragment.selectionSet, document, seen)
      : [];
  });
}

/** The chat a field names: `chatId`, `input.chatId`, or `id` of the …Chat mutations. */
function chatIdOf(field: FieldNode, variables: Record<string, unknown>): string | undefined {
  const args = Object.fromEntries(
    (field.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables) as unknown]),
  );
  const input = args.input as { chatId?: unknown } | undefined;
  const candidate =
    args.chatId ??
    (typeof input === 'object' && input !== null ? input.chatId : undefined) ??
    (/Chat$/.test(field.name.value) ? args.id : undefined);
  return typeof candidate === 'string' || typeof candidate === 'number' ? String(candidate) : undefined;
}

/** The journal's notes of the operation being run: its type, name, top-level fields and the chats they name. */
export function noteOperation(
  notes: JournalNotes,
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown>,
): void {
  notes.operationType = operation.operation;
  if (operation.name) notes.operationName = operation.name.value;
  notes.fields = describeOperation(operation, document, variables);
  notes.chatIds = [...new Set(notes.fields.flatMap((f) => (f.chatId !== undefined ? [f.chatId] : [])))];
}

function describeOperation(
  operation: OperationDefinitionNode,
  document: DocumentNode,
  variables: Record<string, unknown>,
): RequestField[] {
  return topLevelFields(operation.selectionSet, document)
    .filter((f) => !f.name.value.startsWith('__'))
    .map((f) => {
      const chatId = chatIdOf(f, variables);
      return {
        name: f.name.value,
        ...(f.alias ? { alias: f.alias.value } : {}),
        ...(chatId !== undefined ? { chatId } : {}),
      };
    });
}

/**
 * Fills the request journal's notes for a GraphQL request: the operation, its top-level fields with
 * the chats they name, and the errors of the answer, per field where the error has a path.
 */
export function journalPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ contextValue }) {
      const notes: JournalNotes = contextValue.journal;
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) noteOperation(notes, operation, document, request.variables ?? {});
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (errors.length === 0) return;
          notes.errors = errors.map((e) => ({
            code: typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR',
            message: e.message,
            ...(e.path ? { path: [...e.path] } : {}),
          }));
          for (const field of notes.fields ?? []) {
            const error = notes.errors.find((e) => e.path?.[0] === (field.alias ?? field.name));
            if (error) {
              field.errorCode = error.code;
              field.errorMessage = error.message;
            }
          }
        },
      };
    },
  };
}
