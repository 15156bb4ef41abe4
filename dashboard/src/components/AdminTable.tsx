/**
 * The admin pages' table: it scrolls sideways on its own when narrow, names
 * itself for screen readers, heads its columns, and turns each row into a
 * card on a phone (admin.css, which reads each cell's `data-label`).
 */
import { For, type JSX, Show } from "solid-js";
import "./admin.css";

export interface AdminColumn {
  label: string;
  /** Right-aligned, as a number's column is. */
  numeric?: boolean;
}

/**
 * @example
 * <AdminTable caption={t("hotels.list")} columns={[{ label: t("hotels.col.id") }]}>
 *   <For each={hotels()}>{(hotel) => <tr><td data-label={t("hotels.col.id")}>{hotel.id}</td></tr>}</For>
 * </AdminTable>
 */
export function AdminTable(props: {
  /** The table's name, read to screen readers only; omit where a heading names it. */
  caption?: string;
  columns: readonly AdminColumn[];
  /** The body's rows. */
  children: JSX.Element;
}): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="admin-table">
        <Show when={props.caption}>
          {(caption) => <caption class="visually-hidden">{caption()}</caption>}
        </Show>
        <thead>
          <tr>
            <For each={props.columns}>
              {(column) => (
                <th scope="col" class={column.numeric ? "numeric" : undefined}>
                  {column.label}
                </th>
              )}
            </For>
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
