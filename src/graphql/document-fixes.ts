import { Kind, parse, print, visit, type FieldNode, type SelectionSetNode } from 'graphql';

/**
 * The Mutations page prints `mutation { updatePage(input: {...}) }` with no selection set, which is
 * invalid GraphQL for an object result (discrepancy 12). So that the example runs as printed, that
 * one field gets the selection of the documented response; the request is answered with a
 * warning, because the real API most likely rejects it.
 */
const DEFAULT_UPDATE_PAGE_SELECTION = '{ page { id title content createdAt updatedAt isVisible isBotKnowledge } }';

let defaultSelection: SelectionSetNode | undefined;

function pageSelection(): SelectionSetNode {
  if (!defaultSelection) {
    const doc = parse(`mutation { updatePage(input: {id: "x"}) ${DEFAULT_UPDATE_PAGE_SELECTION} }`);
    const op = doc.definitions[0];
    const field =
      op && op.kind === Kind.OPERATION_DEFINITION ? (op.selectionSet.selections[0] as FieldNode) : undefined;
    if (!field?.selectionSet) throw new Error('unreachable: default selection did not parse');
    defaultSelection = field.selectionSet;
  }
  return defaultSelection;
}

export interface FixedDocument {
  query: string;
  warnings: string[];
}

/** Returns the query unchanged unless it has an `updatePage` mutation field without a selection set. */
export function fixDocument(query: string): FixedDocument {
  if (!query.includes('updatePage')) return { query, warnings: [] };
  let document;
  try {
    document = parse(query);
  } catch {
    return { query, warnings: [] }; // Apollo reports the syntax error itself.
  }
  let fixed = false;
  const rewritten = visit(document, {
    OperationDefinition(node) {
      if (node.operation !== 'mutation') return false; // skip queries and subscriptions
      return undefined;
    },
    Field(node) {
      if (node.name.value !== 'updatePage' || node.selectionSet) return undefined;
      fixed = true;
      return { ...node, selectionSet: pageSelection() };
    },
  });
  if (!fixed) return { query, warnings: [] };
  return {
    query: print(rewritten),
    warnings: [
      `updatePage was selected without a selection set, which is invalid GraphQL (the real API will reject it); the emulator answered it with ${DEFAULT_UPDATE_PAGE_SELECTION}.`,
    ],
  };
}
