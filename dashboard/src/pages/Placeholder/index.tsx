/** A page planned for a later release: its title and where the same data is today. */
import type { JSX } from "solid-js";
import { PAGES, type PageId } from "../../app/pages.ts";
import { t } from "../../i18n/index.ts";

export default function Placeholder(props: { page: PageId }): JSX.Element {
  const page = () => PAGES.find((candidate) => candidate.id === props.page);
  // The link sits where the message puts `{link}` (reactive: the language may change).
  const parts = () => t("state.comingSoonBody").split("{link}");
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <h1 id="page-title">{t(page()?.label ?? "state.comingSoon")}</h1>
      </header>
      <div class="state state-empty">
        <h2>{t("state.comingSoon")}</h2>
        <p>
          {parts()[0]}
          <a href="/api/docs">/api/docs</a>
          {parts()[1]}
        </p>
      </div>
    </section>
  );
}
