import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorCodes, startEmulator, type GraphQLResult, type TestEmulator } from '../../helpers/emulator.js';

const CHAT = 'O2bqy2CsAaS7RBXZrhMOB';
const PERSONA = 'ab22a12e-cefd-4f67-945b-c215c42202b4';
const PERSONA_2 = 'e393edb0-ad3d-432e-960d-35593485bfa6';
const SUBMISSION = 'e394e75b-e159-4d7c-a02c-9445da754994';
const ATTACHMENT_URL =
  'https://scontentd.guuru.com/partner/guuru-qa/attachments/OwWMbHm_2y7NJNGUTpEyb/499663b1-5528-472b-a98c-3ca540eb3186/shuttle.png';

let t: TestEmulator;
beforeAll(async () => {
  t = await startEmulator();
});
afterAll(() => t.stop());
beforeEach(async () => {
  await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
});

/** Sends a request body exactly as a documented example does. */
async function post(body: unknown): Promise<GraphQLResult> {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer demo-token' },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as never };
}

const tenantJson = () => JSON.stringify(t.emulator.store.tenant('guuru-qa')!.data);
const chatState = async (id = CHAT) =>
  (
    await t.gql(
      `{ partner { chats(first: 100, orderBy: {field: id, direction: desc}) { edges { node { id status acceptedAt closedAt expert { id name } messages(first: 100) { edges { node { id type createdAt ... on TextMessage { text } ... on AttachmentMessage { attachment { id url mimetype filename } } author { __typename ... on ExpertAuthor { id name } } } } } } } } } }`,
    )
  ).body
    .data!.partner.chats.edges.map((e: any) => e.node)
    .find((c: any) => c.id === id);

const accept = () =>
  post({
    query:
      'mutation AcceptChat($id: ID!, $personaId: ID!) { acceptChat(id: $id, input: { personaId: $personaId }) { id status } }',
    variables: { id: CHAT, personaId: PERSONA },
  });

describe('the documented mutation examples, sent as printed', () => {
  it('approveSubmission and rejectSubmission', async () => {
    const before = Date.now();
    const approved = await post({
      query: `mutation { approveSubmission(id: "${SUBMISSION}") { id status reviewedAt } }`,
    });
    expect(approved.body.data!.approveSubmission).toMatchObject({ id: SUBMISSION, status: 'approved' });
    expect(approved.body.data!.approveSubmission.reviewedAt).toBeGreaterThanOrEqual(before);
    expect(approved.body.data!.approveSubmission.reviewedAt).toBeLessThanOrEqual(Date.now());
    const listed = await t.gql(
      '{ partner { submissions(first: 100) { edges { node { id status expert { id } } } } experts(first: 100) { edges { node { id } } } } }',
    );
    const submission = listed.body.data!.partner.submissions.edges.find((e: any) => e.node.id === SUBMISSION).node;
    expect(submission.status).toBe('approved');
    // The approved applicant is now a member of the community.
    expect(listed.body.data!.partner.experts.edges.map((e: any) => e.node.id)).toContain(submission.expert.id);
    await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
    const rejected = await post({
      query: `mutation { rejectSubmission(id: "${SUBMISSION}") { id status reviewedAt } }`,
    });
    expect(rejected.body.data!.rejectSubmission).toMatchObject({ id: SUBMISSION, status: 'rejected' });
    expect(typeof rejected.body.data!.rejectSubmission.reviewedAt).toBe('number');
  });

  it('createPersona (inline literal) returns the documented persona id for the documented providerId', async () => {
    const res = await post({
      query:
        'mutation { createPersona(input: { providerId: "any-unique-agent-id-from-your-system", name: "John Doe", email: "johndoe@example.com", photoUrl: "https://cdn.guuru.com/assets/logo/robotAvatar.png" }) }',
    });
    expect(res.body).toEqual({ data: { createPersona: PERSONA } });
  });

  it('createPersona (variables) creates one persona and returns the same id on every call', async () => {
    const body = {
      query:
        'mutation CreatePersona($providerId: ID!, $name: String!, $email: String, $photoUrl: String) { createPersona(input: { providerId: $providerId name: $name email: $email photoUrl: $photoUrl }) }',
      variables: {
        providerId: 'some-id',
        name: 'Peter',
        email: 'peter@example.com',
        photoUrl: 'https://cdn.guuru.com/assets/logo/robotAvatar.png',
      },
    };
    const first = await post(body);
    const id = first.body.data!.createPersona as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const count = t.emulator.store.tenant('guuru-qa')!.data.personas.length;
    expect((await post(body)).body.data!.createPersona).toBe(id);
    const renamed = await post({
      ...body,
      variables: { ...body.variables, name: 'Peter Parker', email: 'pp@example.com' },
    });
    expect(renamed.body.data!.createPersona).toBe(id);
    expect(t.emulator.store.tenant('guuru-qa')!.data.personas.length).toBe(count);
    const persona = t.emulator.store.tenant('guuru-qa')!.personasById.get(id)!;
    expect(persona).toMatchObject({ providerId: 'some-id', name: 'Peter Parker', email: 'pp@example.com' });
  });

  it('acceptChat (Examples page, variables) opens the chat; the next query shows it', async () => {
    const res = await accept();
    expect(res.body).toEqual({ data: { acceptChat: { id: CHAT, status: 'open' } } });
    const chat = await chatState();
    expect(chat).toMatchObject({ status: 'open', expert: { id: PERSONA, name: 'John Doe' } });
    expect(chat.acceptedAt).toBe(t.emulator.store.tenant('guuru-qa')!.chatsById.get(CHAT)!.acceptedAt);
  });

  it('acceptChat (Mutations page, inline, messages without first) returns the conversation so far', async () => {
    const res = await t.gql(`mutation {
      acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA}" }) {
        id status
        messages { edges { node {
          id type createdAt
          ... on TextMessage { text }
          ... on AttachmentMessage { attachment { id filename mimetype url } }
          author { __typename ... on BotAuthor { id } ... on UserAuthor { id } ... on ExpertAuthor { id name } }
        } } }
      }
    }`);
    const data = res.body.data!.acceptChat;
    expect(data.status).toBe('open');
    expect(data.messages.edges[0].node).toMatchObject({
      id: 'd2d335fd-2377-4534-ba1a-9a01fdf94e9c',
      type: 'text',
      text: 'Hello',
      author: { __typename: 'UserAuthor', id: 'owRNDrixHcNnPMVQUKpv2Lj5TQ82' },
    });
  });

  it('sendChatMessage: text (variables) and attachment (inline) become messages of the persona', async () => {
    await accept();
    const text = await post({
      query: 'mutation SendChatMessage($input: ChatMessageInput!) { sendChatMessage(input: $input) }',
      variables: { input: { chatId: CHAT, posting: { type: 'text', text: 'How can I help you ?' } } },
    });
    expect(text.body).toEqual({ data: { sendChatMessage: true } });
    const attachment = await post({
      query: `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "attachment", mimetype: "image/png", address: "${ATTACHMENT_URL}", filename: "rocket.png" } }) }`,
    });
    expect(attachment.body).toEqual({ data: { sendChatMessage: true } });
    const messages = (await chatState()).messages.edges.map((e: any) => e.node);
    const [sentText, sentFile] = messages.slice(-2);
    expect(sentText).toMatchObject({
      type: 'text',
      text: 'How can I help you ?',
      author: { __typename: 'ExpertAuthor', id: PERSONA, name: 'John Doe' },
    });
    expect(sentFile).toMatchObject({
      type: 'attachment',
      attachment: { url: ATTACHMENT_URL, mimetype: 'image/png', filename: 'rocket.png' },
    });
    expect(sentFile.createdAt).toBeGreaterThanOrEqual(sentText.createdAt);
  });

  it('closeChat and openChat', async () => {
    await accept();
    expect((await post({ query: `mutation { closeChat(id: "${CHAT}") { id status } }` })).body).toEqual({
      data: { closeChat: { id: CHAT, status: 'closed' } },
    });
    expect((await chatState()).closedAt).toEqual(expect.any(Number));
    expect((await post({ query: `mutation { openChat(id: "${CHAT}") { id status } }` })).body).toEqual({
      data: { openChat: { id: CHAT, status: 'open' } },
    });
    expect((await chatState()).status).toBe('open');
  });

  it('transferToPersona moves the open chat to the other persona', async () => {
    await accept();
    const res = await post({ query: `mutation { transferToPersona(chatId: "${CHAT}", personaId: "${PERSONA_2}") }` });
    expect(res.body).toEqual({ data: { transferToPersona: true } });
    const chat = await chatState();
    expect(chat).toMatchObject({ status: 'open', expert: { id: PERSONA_2 } });
    await t.gql(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "Jane here" } }) }`,
    );
    expect((await chatState()).messages.edges.at(-1).node.author).toMatchObject({ id: PERSONA_2 });
  });

  it('updatePage as printed (no selection set) answers the documented response, with a warning', async () => {
    const res = await post({
      query:
        'mutation { updatePage(input: { id: "1993", title: { en: "English Page Title", fr: "French Page Title" }, content: { en: "English Page Content", fr: "French Page Content" }, isVisible: true, isBotKnowledge: false }) }',
    });
    const page = res.body.data!.updatePage.page;
    expect(Object.keys(page)).toEqual([
      'id',
      'title',
      'content',
      'createdAt',
      'updatedAt',
      'isVisible',
      'isBotKnowledge',
    ]);
    expect(page).toMatchObject({
      id: '1993',
      title: { en: 'English Page Title', fr: 'French Page Title' },
      content: { en: 'English Page Content', fr: 'French Page Content' },
      isVisible: true,
      isBotKnowledge: false,
    });
    expect(page.updatedAt).toBeGreaterThanOrEqual(page.createdAt);
    expect((res.body as any).extensions.warnings[0]).toMatch(/without a selection set/);
    expect(res.headers.get('x-emulator-warning')).toMatch(/updatePage/);
    const read = await t.gql('{ partner { page(id: "1993") { title languages updatedAt } } }');
    expect(read.body.data!.partner.page).toMatchObject({
      title: { en: 'English Page Title', fr: 'French Page Title' },
      languages: ['en', 'fr'],
      updatedAt: page.updatedAt,
    });
  });
});

describe('errors: a stable code, an actionable message, nothing changed', () => {
  const refused = async (query: string, code: string, variables?: Record<string, unknown>) => {
    const before = tenantJson();
    const res = await t.gql(query, variables);
    expect(errorCodes(res)).toEqual([code]);
    expect(res.body.errors![0]!.message.length).toBeGreaterThan(20);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(tenantJson()).toBe(before);
    return res;
  };

  it('unknown ids', async () => {
    await refused('mutation { approveSubmission(id: "nope") { id } }', 'NOT_FOUND');
    await refused('mutation { acceptChat(id: "nope", input: { personaId: "x" }) { id } }', 'NOT_FOUND');
    const persona = await refused(
      `mutation { acceptChat(id: "${CHAT}", input: { personaId: "nobody" }) { id } }`,
      'NOT_FOUND',
    );
    expect(persona.body.errors![0]!.extensions!.argumentName).toBe('input.personaId');
    await refused('mutation { closeChat(id: "nope") { id } }', 'NOT_FOUND');
    await refused(
      'mutation { sendChatMessage(input: { chatId: "nope", posting: { type: "text", text: "x" } }) }',
      'NOT_FOUND',
    );
    await refused(`mutation { transferToPersona(chatId: "${CHAT}", personaId: "nobody") }`, 'NOT_FOUND');
    await refused('mutation { updatePage(input: { id: "424242", isVisible: true }) { page { id } } }', 'NOT_FOUND');
  });

  it('a second acceptChat is "already accepted"', async () => {
    await accept();
    const res = await refused(
      `mutation { acceptChat(id: "${CHAT}", input: { personaId: "${PERSONA_2}" }) { id } }`,
      'CHAT_ALREADY_ACCEPTED',
    );
    expect(res.body.errors![0]!.message).toMatch(/already accepted/);
    expect(res.body.errors![0]!.extensions).toMatchObject({ currentStatus: 'open', attemptedAction: 'accept' });
  });

  it('illegal transitions name the current status and the attempted action', async () => {
    const closeAssigned = await refused(`mutation { closeChat(id: "${CHAT}") { id } }`, 'INVALID_STATE_TRANSITION');
    expect(closeAssigned.body.errors![0]!.message).toMatch(/"assigned".*close/);
    await refused(`mutation { openChat(id: "${CHAT}") { id } }`, 'INVALID_STATE_TRANSITION');
    const rated = Object.values(t.emulator.store.tenant('guuru-qa')!.data.chats).find(
      (c) => c.status === 'rated' && c.requestedExperts.includes('api'),
    )!;
    const reopenRated = await refused(`mutation { openChat(id: "${rated.id}") { id } }`, 'INVALID_STATE_TRANSITION');
    expect(reopenRated.body.errors![0]!.extensions).toMatchObject({
      currentStatus: 'rated',
      attemptedAction: 'reopen',
    });
  });

  it('only pending submissions can be reviewed', async () => {
    await t.gql(`mutation { approveSubmission(id: "${SUBMISSION}") { id } }`);
    const res = await refused(`mutation { rejectSubmission(id: "${SUBMISSION}") { id } }`, 'INVALID_STATE_TRANSITION');
    expect(res.body.errors![0]!.message).toMatch(/already approved/);
  });

  it('messages only go into open chats', async () => {
    await refused(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "too early" } }) }`,
      'CHAT_NOT_OPEN',
    );
    await accept();
    await t.gql(`mutation { closeChat(id: "${CHAT}") { id } }`);
    const res = await refused(
      `mutation { sendChatMessage(input: { chatId: "${CHAT}", posting: { type: "text", text: "too late" } }) }`,
      'CHAT_NOT_OPEN',
    );
    expect(res.body.errors![0]!.message).toMatch(/Reopen it first/);
  });

  it('bad postings are BAD_USER_INPUT naming the field', async () => {
    await accept();
    const cases: [unknown, string][] = [
      [undefined, 'input.posting'],
      [null, 'input.posting'],
      ['hello', 'input.posting'],
      [{ text: 'no type' }, 'input.posting.type'],
      [{ type: 'video', text: 'x' }, 'input.posting.type'],
      [{ type: 'text' }, 'input.posting.text'],
      [{ type: 'text', text: '   ' }, 'input.posting.text'],
      [{ type: 'attachment', mimetype: 'image/png' }, 'input.posting.address'],
      [{ type: 'attachment', address: 'not a url' }, 'input.posting.address'],
      [{ type: 'attachment', address: 'ftp://example.com/a.png' }, 'input.posting.address'],
      [{ type: 'attachment', address: 'https://example.com/a.png', mimetype: 'png' }, 'input.posting.mimetype'],
      [{ type: 'text', text: 'x', colour: 'red' }, 'input.posting.colour'],
      [{ type: 'text', text: 42 }, 'input.posting.text'],
    ];
    for (const [posting, argumentName] of cases) {
      const res = await refused(
        'mutation Send($input: ChatMessageInput!) { sendChatMessage(input: $input) }',
        'BAD_USER_INPUT',
        { input: { chatId: CHAT, posting } },
      );
      expect(res.body.errors![0]!.extensions!.argumentName, JSON.stringify(posting)).toBe(argumentName);
    }
  });

  it('the Admin API only acts on chats requested to api or held by its personas', async () => {
    const tenant = t.emulator.store.tenant('guuru-qa')!;
    const notForApi = tenant.data.chats.find((c) => c.status === 'assigned' && !c.requestedExperts.includes('api'))!;
    await refused(
      `mutation { acceptChat(id: "${notForApi.id}", input: { personaId: "${PERSONA}" }) { id } }`,
      'FORBIDDEN',
    );
    const guuruChat = tenant.data.chats.find(
      (c) => c.status === 'open' && c.expertId && !tenant.personasById.has(c.expertId) && c.expertId !== 'api',
    )!;
    await refused(`mutation { closeChat(id: "${guuruChat.id}") { id } }`, 'FORBIDDEN');
    await refused(
      `mutation { sendChatMessage(input: { chatId: "${guuruChat.id}", posting: { type: "text", text: "hi" } }) }`,
      'FORBIDDEN',
    );
  });

  it('createPersona validates what it stores', async () => {
    await refused('mutation { createPersona(input: { providerId: " ", name: "X" }) }', 'BAD_USER_INPUT');
    await refused('mutation { createPersona(input: { providerId: "p", name: "" }) }', 'BAD_USER_INPUT');
    await refused(
      'mutation { createPersona(input: { providerId: "p", name: "X", email: "not-an-email" }) }',
      'BAD_USER_INPUT',
    );
    await refused(
      'mutation { createPersona(input: { providerId: "p", name: "X", photoUrl: "avatar.png" }) }',
      'BAD_USER_INPUT',
    );
  });

  it('updatePage reports unknown language codes and wrong value types as userErrors, changing nothing', async () => {
    const before = tenantJson();
    const unknownLanguage = await t.gql(
      'mutation { updatePage(input: { id: "1993", title: { en: "ok", xx: "no" } }) { page { id } userErrors { field message } } }',
    );
    expect(unknownLanguage.body.data!.updatePage.userErrors).toEqual({
      field: ['input', 'title', 'xx'],
      message: expect.stringMatching(/"xx" is not a supported language code/),
    });
    expect(unknownLanguage.body.data!.updatePage.page).toBeNull();
    expect(errorCodes(unknownLanguage)).toEqual(['BAD_USER_INPUT']);
    const wrongType = await t.gql(
      'mutation { updatePage(input: { id: "1993", content: { en: 5 } }) { userErrors { field message } } }',
    );
    expect(wrongType.body.data!.updatePage.userErrors.field).toEqual(['input', 'content', 'en']);
    expect(wrongType.body.errors).toBeUndefined();
    const notAMap = await t.gql(
      'mutation { updatePage(input: { id: "1993", title: "just a string" }) { userErrors { field message } } }',
    );
    expect(notAMap.body.data!.updatePage.userErrors.field).toEqual(['input', 'title']);
    expect(tenantJson()).toBe(before);
  });
});

describe('concurrency', () => {
  it('200 simultaneous acceptChat calls on one chat: exactly one succeeds', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.gql(
          `mutation { acceptChat(id: "${CHAT}", input: { personaId: "${i % 2 ? PERSONA : PERSONA_2}" }) { id status } }`,
        ),
      ),
    );
    const ok = results.filter((r) => r.body.data?.acceptChat?.status === 'open');
    expect(ok).toHaveLength(1);
    expect(results.flatMap(errorCodes).filter((c) => c === 'CHAT_ALREADY_ACCEPTED')).toHaveLength(199);
  });
});
