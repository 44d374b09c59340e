/**
 * The documented example operations of the GUURU Admin API pages, as GraphiQL preloads them (one
 * tab each). Ids come from the seeded data when it has a fitting record, so each example runs as
 * is; otherwise the documents' own ids stand (and the emulator answers with its documented error).
 */
export interface ExampleHints {
  /** A chat assigned to the Public API service account (acceptChat can take it). */
  assignedChatId?: string;
  /** An open chat held by the service account or a persona (sendChatMessage, closeChat). */
  openChatId?: string;
  /** A closed chat held by the service account or a persona (openChat). */
  closedChatId?: string;
  personaId?: string;
  otherPersonaId?: string;
  pendingSubmissionId?: string;
  pageId?: string;
}

export interface ExampleOperation {
  /** The tab's title: where the documents show it. */
  title: string;
  query: string;
  variables?: Record<string, unknown>;
}

const DOC_CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const DOC_PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';

export function exampleOperations(h: ExampleHints = {}): ExampleOperation[] {
  return [...QUERY_EXAMPLES, ...chatMutations(h), ...otherMutations(h)];
}

/** The Queries page's examples (they take no ids). */
const QUERY_EXAMPLES: ExampleOperation[] = [
  {
    title: 'Chat state',
    query: `# Queries page: the partner behind the token, and whether chat is available now.
query ChatState {
  partner {
    id
    state {
      chat {
        isAvailable
      }
    }
  }
}
`,
  },
  {
    title: 'Recent chats',
    query: `# Queries page: the 3 most recent chats, newest first, with pageInfo.
query RecentChats {
  partner {
    chats(first: 3, orderBy: { field: id, direction: desc }) {
      edges {
        node {
          id
          createdAt
          status
          question
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
`,
  },
  {
    title: 'Fetch Chats',
    query: `# Examples page: every chat, 100 at a time. Pass pageInfo.endCursor as $after for the next page.
query FetchChats($first: Int!, $after: String) {
  partner {
    chats(first: $first, after: $after, orderBy: { field: id, direction: asc }) {
      edges {
        node {
          status
          question
          rating
          user {
            name
            email
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
`,
    variables: { first: 100, after: null },
  },
  {
    title: 'Fetch Payouts',
    query: `# Examples page: payouts of January 2019 (period in ms), 100 experts at a time; amounts in cents.
query Payouts($first: Int!, $after: String, $period: Timestamp!) {
  partner {
    payouts(period: $period) {
      experts(first: $first, after: $after) {
        edges {
          node {
            name
            email
            balances {
              amount
              currency
            }
            partners {
              edges {
                verificationCode
              }
            }
          }
        }
        pageInfo {
          hasNextPage
          endCursor
        }
      }
    }
  }
}
`,
    variables: { period: 1546300800000, first: 100, after: null },
  },
];

/** The Mutations page's examples on personas and chats, with seeded ids where the seed has a fitting record. */
function chatMutations(h: ExampleHints): ExampleOperation[] {
  const persona = h.personaId ?? DOC_PERSONA;
  return [
    {
      title: 'createPersona',
      query: `# Examples page: one persona per providerId (calling again updates it and returns the same id).
mutation CreatePersona($providerId: ID!, $name: String!, $email: String, $photoUrl: String) {
  createPersona(input: { providerId: $providerId, name: $name, email: $email, photoUrl: $photoUrl })
}
`,
      variables: {
        providerId: 'some-id',
        name: 'Peter',
        email: 'peter@example.com',
        photoUrl: 'https://cdn.guuru.com/assets/logo/robotAvatar.png',
      },
    },
    {
      title: 'acceptChat',
      query: `# Examples page: accept a chat whose chat-assigned webhook listed "api", as a persona.
mutation AcceptChat($id: ID!, $personaId: ID!) {
  acceptChat(id: $id, input: { personaId: $personaId }) {
    id
    status
  }
}
`,
      variables: { id: h.assignedChatId ?? DOC_CHAT, personaId: persona },
    },
    {
      title: 'sendChatMessage',
      query: `# Examples page: a message into an open chat, authored by the chat's persona.
mutation SendChatMessage($input: ChatMessageInput!) {
  sendChatMessage(input: $input)
}
`,
      variables: {
        input: { chatId: h.openChatId ?? DOC_CHAT, posting: { type: 'text', text: 'How can I help you ?' } },
      },
    },
    {
      title: 'transferToPersona',
      query: `# Mutations page: hand an open chat to another persona.
mutation TransferToPersona($chatId: ID!, $personaId: ID!) {
  transferToPersona(chatId: $chatId, personaId: $personaId)
}
`,
      variables: {
        chatId: h.openChatId ?? DOC_CHAT,
        personaId: h.otherPersonaId ?? 'e393edb0-ad3d-432e-960d-35593485bfa6',
      },
    },
    {
      title: 'closeChat',
      query: `# Mutations page: the expert closes a chat it holds.
mutation CloseChat($id: ID!) {
  closeChat(id: $id) {
    id
    status
  }
}
`,
      variables: { id: h.openChatId ?? DOC_CHAT },
    },
    {
      title: 'openChat',
      query: `# Mutations page: reopen a chat closed too early (a rated chat cannot be reopened).
mutation OpenChat($id: ID!) {
  openChat(id: $id) {
    id
    status
  }
}
`,
      variables: { id: h.closedChatId ?? DOC_CHAT },
    },
  ];
}

/** The Mutations page's examples on submissions and pages. */
function otherMutations(h: ExampleHints): ExampleOperation[] {
  return [
    {
      title: 'approveSubmission',
      query: `# Mutations page: approve a pending request to join the community (rejectSubmission is its twin).
mutation ApproveSubmission($id: ID!) {
  approveSubmission(id: $id) {
    id
    status
    reviewedAt
  }
}
`,
      variables: { id: h.pendingSubmissionId ?? 'e394e75b-e159-4d7c-a02c-9445da754994' },
    },
    {
      title: 'updatePage',
      query: `# Mutations page: update a knowledge-base page (the page prints no selection; PageUpdate needs one).
mutation UpdatePage($input: PageUpdateInput!) {
  updatePage(input: $input) {
    page {
      id
      title
      content
      updatedAt
      isVisible
    }
  }
}
`,
      variables: {
        input: {
          id: h.pageId ?? '1993',
          title: { en: 'English Page Title', fr: 'French Page Title' },
          content: { en: 'English Page Content', fr: 'French Page Content' },
          isVisible: true,
          isBotKnowledge: false,
        },
      },
    },
  ];
}
