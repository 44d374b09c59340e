import { useRef, useState } from 'preact/hooks';
import { enc, errorText, getJson, send } from '../api';
import {
  ActionButton,
  Card,
  download,
  InlineError,
  MessageComposer,
  RowForm,
  SelectField,
  TextField,
} from '../components';
import { useResource } from '../resource';
import { href, navigate } from '../router';
import type { ChatRecord, PersonaRecord } from '../types';

/**
 * GUURU's side of a chat by hand: accept as a persona, reply, close, reopen, hand over, mark
 * missed. Each button is a control-API chat action (the same domain command as the Admin API),
 * and a refusal shows the Admin API's documented code.
 */
export function AgentConsole({ tenant, chat }: { tenant: string; chat: ChatRecord }) {
  const base = `/_emulator/tenants/${enc(tenant)}/chats/${enc(chat.id)}`;
  const personas = useResource<{ personas: PersonaRecord[] }>(
    `/_emulator/tenants/${enc(tenant)}/personas`,
    (e) => e.type === 'data' && e.tenantId === tenant,
    500,
  );
  const list = personas.data?.personas ?? [];
  const [picked, setPicked] = useState('');
  const [newName, setNewName] = useState('');
  const [attachment, setAttachment] = useState('');
  const personaId = picked || list[0]?.id || '';
  const act =
    (action: string, body: object = {}) =>
    () =>
      send('POST', `${base}/${action}`, body);
  return (
    <Card title="Agent console" class="agent-console">
      <div class="row">
        <SelectField
          label="Persona"
          value={personaId}
          onChange={setPicked}
          all={list.length === 0 ? 'no persona yet: create one' : undefined}
          options={list.map((p) => [p.id, p.name] as const)}
        />
        <ActionButton kind="primary" onClick={act('accept', personaId ? { personaId } : {})}>
          Accept
        </ActionButton>
      </div>
      <RowForm
        onSubmit={() => {
          if (newName.trim() === '') return;
          void send<PersonaRecord>('POST', `/_emulator/tenants/${enc(tenant)}/personas`, { name: newName.trim() }).then(
            (p) => {
              setPicked(p.id);
              setNewName('');
              personas.reload();
            },
          );
        }}
      >
        <TextField label="New persona name" value={newName} onInput={setNewName} />
        <button type="submit">Create persona</button>
      </RowForm>
      <MessageComposer
        onSend={(text) =>
          send('POST', `${base}/messages`, {
            from: 'expert',
            ...(attachment.trim() ? { posting: { type: 'attachment', address: attachment.trim() } } : { text }),
          }).then(() => setAttachment(''))
        }
        placeholder="Reply as the agent"
        extra={
          <TextField
            label="Attachment URL"
            type="url"
            value={attachment}
            onInput={setAttachment}
            placeholder="https://… (sends it instead of the text)"
          />
        }
      />
      <div class="row agent-actions">
        <ActionButton onClick={act('close', { by: 'expert' })}>Close chat</ActionButton>
        <ActionButton onClick={act('reopen', { by: 'expert' })}>Reopen chat</ActionButton>
        <ActionButton onClick={act('handover')}>Hand over</ActionButton>
        <ActionButton onClick={act('miss')}>Mark missed</ActionButton>
      </div>
      <p class="muted small">
        The customer's side: <a href={href('shop', tenant, chat.id)}>open the shopper's window</a> (another tab makes a
        whole demo).
      </p>
    </Card>
  );
}

const FAULTS = [
  ['duplicate', 'Twice', 'the next webhook of this chat arrives twice (same Idempotency-Key)'],
  ['delay', 'Late', 'the next webhook of this chat waits 5 s'],
  ['reorder', 'Out of order', 'the next webhook of this chat is held and sent after the one that follows it'],
  [
    'drop-first-attempt',
    'Not at all (first try)',
    'the first attempt of the next webhook is lost; the retry brings it',
  ],
] as const;

/** The chat's next delivery, one click from the conversation (the fault rules of POST /_emulator/faults). */
export function ChatFaults({ tenant, chatId }: { tenant: string; chatId: string }) {
  const [armed, setArmed] = useState<string | undefined>();
  return (
    <div class="chat-faults" role="group" aria-label="Next webhook of this chat">
      <span class="muted small">Next webhook:</span>
      {FAULTS.map(([kind, label, title]) => (
        <span key={kind} title={title}>
          <ActionButton
            label={`Next webhook: ${label}`}
            onClick={() =>
              send('POST', '/_emulator/faults', {
                kind,
                chatId,
                tenant,
                times: 1,
                ...(kind === 'delay' ? { delayMs: 5_000 } : {}),
              }).then(() => setArmed(title))
            }
          >
            {label}
          </ActionButton>
        </span>
      ))}
      {armed && (
        <span class="muted small" role="status">
          Armed: {armed}.
        </span>
      )}
    </div>
  );
}

/** "Save as scenario" and "Export session": the chat kept as a test, or as a file for a colleague. */
export function SessionTools({ tenant, chatId }: { tenant: string; chatId: string }) {
  const [generated, setGenerated] = useState(false);
  const [saved, setSaved] = useState<{ name: string; file: string; yaml: string } | undefined>();
  const base = `/_emulator/tenants/${enc(tenant)}/chats/${enc(chatId)}`;
  return (
    <div class="session-tools">
      <label class="check">
        <input
          type="checkbox"
          checked={generated}
          onChange={(e) => setGenerated((e.target as HTMLInputElement).checked)}
        />{' '}
        generated text instead of the shopper's lines
      </label>
      <ActionButton
        onClick={() =>
          send<{ name: string; file: string; yaml: string }>('POST', `${base}/scenario`, {
            text: generated ? 'generated' : 'kept',
          }).then(setSaved)
        }
      >
        Save as scenario
      </ActionButton>
      <ActionButton
        onClick={() =>
          getJson<unknown>(`${base}/session`).then((session) =>
            download(`session-${chatId}.json`, JSON.stringify(session, null, 2)),
          )
        }
      >
        Export session
      </ActionButton>
      {saved && (
        <div class="saved-scenario" role="status">
          Saved as <a href={href('scenarios', saved.name)}>{saved.name}</a>:{' '}
          <button type="button" class="link" onClick={() => download(saved.file, saved.yaml, 'application/yaml')}>
            download {saved.file}
          </button>{' '}
          and replay it with <code>guuru-emulator scenario run {saved.name} --scenarios DIR</code>.
          <pre class="json" tabIndex={0} aria-label="Scenario file">
            {saved.yaml}
          </pre>
        </div>
      )}
    </div>
  );
}

/** "Import session": a file another emulator exported, shown read-only. */
export function ImportSession() {
  const [error, setError] = useState<string | undefined>();
  const input = useRef<HTMLInputElement>(null);
  return (
    <span class="action">
      <input
        type="file"
        accept="application/json,.json"
        hidden
        ref={input}
        onChange={(e) => {
          const file = (e.target as HTMLInputElement).files?.[0];
          if (!file) return;
          setError(undefined);
          void file
            .text()
            .then((text) => send<{ id: string }>('POST', '/_emulator/sessions', JSON.parse(text)))
            .then((r) => navigate(href('sessions', r.id)))
            .catch((err: unknown) =>
              setError(err instanceof SyntaxError ? `${file.name} is not JSON: ${err.message}` : errorText(err)),
            );
        }}
      />
      <button type="button" onClick={() => input.current?.click()}>
        Import session
      </button>
      {error && <InlineError message={error} />}
    </span>
  );
}
