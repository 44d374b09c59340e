import { useEffect } from 'preact/hooks';

/** The browser tab's title while a page shows (a chat: its question), back to the dashboard's after. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    if (title === undefined) return undefined;
    const before = document.title;
    document.title = `${title} · guuru-emulator`;
    return () => {
      document.title = before;
    };
  }, [title]);
}
