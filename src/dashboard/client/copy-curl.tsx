import { useState } from 'preact/hooks';

/**
 * "Copy as curl": builds the command when asked (it may need a token from the control API), copies
 * it to the clipboard where the browser allows (a secure context: localhost, 127.0.0.1, https) and
 * always shows it, selectable, for when it does not.
 */
export function CopyAsCurl({ build, what }: { build: () => Promise<string | undefined>; what: string }) {
  const [command, setCommand] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const onClick = async () => {
    try {
      const text = await build();
      if (text === undefined) {
        setCommand(undefined);
        setNote(`The journal does not keep enough of this ${what} to send it again.`);
        return;
      }
      setCommand(text);
      try {
        await navigator.clipboard.writeText(text);
        setNote('Copied to the clipboard.');
      } catch {
        setNote('Select the command below and copy it.');
      }
    } catch (error) {
      setNote(`Cannot build the command: ${(error as Error).message}`);
    }
  };
  return (
    <div class="copy-curl">
      <button type="button" onClick={() => void onClick()}>
        Copy as curl
      </button>{' '}
      <span class="muted small" role="status">
        {note}
      </span>
      {command !== undefined && (
        <textarea
          class="curl"
          readOnly
          rows={Math.min(12, command.split('\n').length + 1)}
          aria-label={`curl command for this ${what}`}
          value={command}
          onFocus={(e) => (e.target as HTMLTextAreaElement).select()}
        />
      )}
    </div>
  );
}
