import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { errorText } from './api';
import type { TenantSummary } from './types';
import { useResource } from './resource';
import { href } from './router';

export const CHAT_STATUSES = ['created', 'assigned', 'open', 'handover', 'closed', 'rated', 'missed'] as const;

/** A chat status in its lifecycle colour (the same everywhere). */
export const StatusBadge = ({ status }: { status: string }) => <span class={`badge status-${status}`}>{status}</span>;

/** A delivery status: pending ones amber, delivered green, failed red. */
export function DeliveryBadge({ status }: { status: string }) {
  const group = status === 'delivered' ? 'ok' : status === 'failed' ? 'bad' : 'wait';
  return <span class={`badge delivery-${group}`}>{status}</span>;
}

/** An HTTP status of a webhook attempt. */
export function HttpBadge({ code, error }: { code?: number; error?: string }) {
  if (code === undefined)
    return (
      <span class="badge delivery-bad" title={error}>
        {error ? 'no answer' : '—'}
      </span>
    );
  return <span class={`badge ${code >= 200 && code < 300 ? 'delivery-ok' : 'delivery-bad'}`}>{code}</span>;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Emulator clock time: date and time in UTC (the emulator's timestamps are UTC). */
export function Time({ at, short }: { at: number | undefined; short?: boolean }) {
  if (at === undefined) return <span class="muted">—</span>;
  const d = new Date(at);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const day = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()}>
      {short ? time : `${day} ${time}`}
    </time>
  );
}

/** What to do when a list is empty: says why and how to fill it. */
export const Empty = ({ title, children }: { title: string; children?: ComponentChildren }) => (
  <div class="empty" role="status">
    <strong>{title}</strong>
    {children && <p>{children}</p>}
  </div>
);

export const ErrorBox = ({ message }: { message: string }) => (
  <div class="error" role="alert">
    {message}
  </div>
);

export const Loading = () => <p class="muted loading">Loading…</p>;

/** A refusal shown beside the control that caused it. */
export const InlineError = ({ message }: { message: string }) => (
  <span class="inline-error" role="alert">
    {message}
  </span>
);

/** While a resource is read: its error, or "Loading…" until it has data (nothing once it has). */
export function LoadState({ resource }: { resource: { data?: unknown; error?: string } }) {
  if (resource.error) return <ErrorBox message={resource.error} />;
  return resource.data === undefined ? <Loading /> : null;
}

/** A fact: its name, its value, and a class for the value (what tests and styles find it by). */
export type KeyValue = readonly [string, ComponentChildren, string?];

/** Facts as a definition list; an entry left out (false, undefined) is not shown. */
export function KeyValues({
  items,
  inline = true,
}: {
  items: (KeyValue | false | null | undefined | '' | 0)[];
  inline?: boolean;
}) {
  return (
    <dl class={inline ? 'kv inline-kv' : 'kv'}>
      {items.map(
        (item) =>
          item && [
            <dt key={`${item[0]}-t`}>{item[0]}</dt>,
            <dd key={`${item[0]}-d`} class={item[2]}>
              {item[1]}
            </dd>,
          ],
      )}
    </dl>
  );
}

/** A labelled select (the label is its accessible name); an option is a value or [value, text]. */
export function SelectField({
  label,
  value,
  onChange,
  options,
  all,
  name,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: readonly (string | readonly [string, string])[];
  all?: string;
  name?: string;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      <select name={name} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {all !== undefined && <option value="">{all}</option>}
        {options.map((o) => {
          const [v, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </label>
  );
}

export const Code = ({ children }: { children: ComponentChildren }) => <code class="code">{children}</code>;

/** A JSON value, pretty-printed. */
export const Json = ({ value, label }: { value: unknown; label?: string }) => (
  <pre class="json" aria-label={label} tabIndex={0}>
    {typeof value === 'string' ? value : JSON.stringify(value, null, 2)}
  </pre>
);

/**
 * A page's heading with what sits beside it (filters, actions); on a detail page, the breadcrumb
 * back to its list (`back`: its address and name) and where this page is (`here`).
 */
export function PageHead({
  title,
  back,
  here,
  children,
}: {
  title: ComponentChildren;
  back?: readonly [string, string];
  here?: ComponentChildren;
  children?: ComponentChildren;
}) {
  return (
    <>
      {back && (
        <nav class="crumbs" aria-label="Breadcrumb">
          <a href={back[0]}>{back[1]}</a> / <span>{here}</span>
        </nav>
      )}
      <div class="page-head">
        <h1>{title}</h1>
        {children}
      </div>
    </>
  );
}

/** A one-row form that sends without leaving the page. */
export const RowForm = ({ onSubmit, children }: { onSubmit: () => void; children: ComponentChildren }) => (
  <form
    class="row"
    onSubmit={(e) => {
      e.preventDefault();
      onSubmit();
    }}
  >
    {children}
  </form>
);

export function Card({
  title,
  actions,
  children,
  class: cls,
}: {
  title?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section class={`card ${cls ?? ''}`}>
      {(title || actions) && (
        <header class="card-head">
          {title && <h2>{title}</h2>}
          {actions && <div class="actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

/** A button that runs a control-API call, shows it is busy, and reports a failure next to it. */
export function ActionButton({
  onClick,
  children,
  kind,
  label,
}: {
  onClick: () => Promise<unknown>;
  children: ComponentChildren;
  kind?: 'primary' | 'danger';
  label?: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  return (
    <span class="action">
      <button
        type="button"
        class={kind ?? ''}
        disabled={busy}
        aria-label={label}
        onClick={() => {
          setBusy(true);
          setError(undefined);
          onClick()
            .catch((e: unknown) => setError(errorText(e)))
            .finally(() => setBusy(false));
        }}
      >
        {children}
      </button>
      {error && <InlineError message={error} />}
    </span>
  );
}

/** A form's submission: busy while its control-API call runs, and the refusal to show (cleared on the next try). */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const run = <T,>(call: () => Promise<T>, then: (result: T) => void) => {
    setBusy(true);
    setError(undefined);
    call()
      .then(then, (e: unknown) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  return { busy, error, run };
}

/** A form's primary button, off while it is busy, with the refusal under it. */
export const SubmitButton = ({
  busy,
  error,
  disabled,
  children,
}: {
  busy: boolean;
  error?: string;
  disabled?: boolean;
  children: ComponentChildren;
}) => (
  <>
    <button type="submit" class="primary" disabled={busy || disabled}>
      {children}
    </button>
    {error && <ErrorBox message={error} />}
  </>
);

/** The tenants, read once per view and again when one is created, removed or reset. */
export const useTenants = () =>
  useResource<{ tenants: TenantSummary[] }>(
    '/_emulator/tenants',
    (e) => e.type === 'chat' || e.type === 'data' || e.type === 'gurusup',
    1_000,
  );

export function TenantPicker({ value, onChange }: { value: string; onChange: (tenant: string) => void }) {
  const { data } = useTenants();
  const tenants = data?.tenants ?? [];
  if (tenants.length <= 1) return null;
  return (
    <label class="field">
      <span>Tenant</span>
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {tenants.map((t) => (
          <option key={t.id} value={t.id}>
            {t.id}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The tenant a view shows: ?tenant= in the URL, else the first (built-in) one. */
export function useTenantId(fromUrl: string | null): string | undefined {
  const { data } = useTenants();
  return fromUrl ?? data?.tenants[0]?.id;
}

/** The tenant a run or verification uses: empty means the first (built-in) one, as the control API defaults. */
export function DefaultTenantField({ value, onChange }: { value: string; onChange: (tenant: string) => void }) {
  const { data } = useTenants();
  return (
    <label class="field">
      <span>Tenant</span>
      <select name="tenant" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        <option value="">{data?.tenants[0]?.id ?? 'first'} (default)</option>
        {data?.tenants.slice(1).map((t) => (
          <option key={t.id}>{t.id}</option>
        ))}
      </select>
    </label>
  );
}

/** The seed of a run or verification: empty means the emulator's. */
export const SeedField = ({ value, onChange }: { value: string; onChange: (seed: string) => void }) => (
  <label class="field">
    <span>Seed</span>
    <input
      name="seed"
      type="number"
      min="0"
      placeholder="the emulator's"
      value={value}
      onInput={(e) => onChange((e.target as HTMLInputElement).value)}
    />
  </label>
);

interface TextFieldProps {
  label: string;
  value: string;
  onInput: (v: string) => void;
  type?: string;
  required?: boolean;
  placeholder?: string;
  name?: string;
  list?: string;
  min?: string;
  step?: string;
  /** A line under the input saying what the value means. */
  hint?: string;
  class?: string;
}

/** A labelled text input (the label is its accessible name). */
export function TextField({ label, value, onInput, type = 'text', hint, class: cls, ...rest }: TextFieldProps) {
  return (
    <label class={cls ? `field ${cls}` : 'field'}>
      <span>{label}</span>
      <input type={type} {...rest} value={value} onInput={(e) => onInput((e.target as HTMLInputElement).value)} />
      {hint && <small class="muted">{hint}</small>}
    </label>
  );
}

/**
 * The message box of every conversation the pages play (shopper, agent, Gurusup user): a textbox
 * named "Message" and a "Send" button; Enter sends, Shift+Enter starts a new line. A refusal shows
 * beside it and the text stays.
 */
export function MessageComposer({
  onSend,
  disabled,
  placeholder,
  extra,
}: {
  onSend: (text: string) => Promise<unknown>;
  disabled?: boolean;
  placeholder?: string;
  extra?: ComponentChildren;
}) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const submit = () => {
    if (busy || disabled || text.trim() === '') return;
    setBusy(true);
    setError(undefined);
    onSend(text.trim())
      .then(() => setText(''))
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <textarea
        aria-label="Message"
        rows={2}
        placeholder={placeholder}
        disabled={disabled}
        value={text}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            submit();
          }
        }}
      />
      {extra}
      <button type="submit" class="primary" disabled={busy || disabled}>
        Send
      </button>
      {error && <InlineError message={error} />}
    </form>
  );
}

/** Offers a text as a file download (a blob: URL, nothing leaves the page). */
export function download(filename: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Opens the shopper's window: the way into a hand-held chat, on the Overview and on Chats. */
export const ChatAsCustomer = ({ tenant }: { tenant?: string }) => (
  <a class="button primary" href={href('shop', { tenant })}>
    Chat as a customer
  </a>
);
