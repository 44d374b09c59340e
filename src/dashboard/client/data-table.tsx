import type { ComponentChildren } from 'preact';

/** One column of a {@link DataTable}: its heading and what a row shows in it. */
export interface Column<T> {
  head?: ComponentChildren;
  cell: (row: T) => ComponentChildren;
  class?: string;
  /** A tooltip for the cell (e.g. a URL cut short by the layout). */
  title?: (row: T) => string;
}

/**
 * The dashboard's lists: a labelled table (its accessible name) with a header row when any column
 * has a heading, a row per item, and optionally a full-width detail row under an item.
 */
export function DataTable<T>({
  label,
  class: cls,
  columns,
  rows,
  rowKey,
  rowProps,
  detail,
}: {
  label: string;
  class?: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T, index: number) => string | number;
  rowProps?: (row: T) => Record<string, string | undefined>;
  detail?: (row: T) => ComponentChildren;
}) {
  return (
    <table class={cls ? `list ${cls}` : 'list'} aria-label={label}>
      {columns.some((c) => c.head !== undefined) && (
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={i}>{c.head}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>
        {rows.map((row, index) => {
          const key = rowKey(row, index);
          const more = detail?.(row);
          return [
            <tr key={key} {...rowProps?.(row)}>
              {columns.map((c, i) => (
                <td key={i} class={c.class} title={c.title?.(row)}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>,
            more && (
              <tr key={`${key}-detail`} class="detail">
                <td colSpan={columns.length}>{more}</td>
              </tr>
            ),
          ];
        })}
      </tbody>
    </table>
  );
}
