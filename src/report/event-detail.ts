/**
 * The report's detail panel: the full history events behind the points a
 * person hovers or clicks, embedded as JSON that the page's small script
 * shows as text (never as markup), and the script itself.
 */
import { formatZxid, type HistoryEvent, parseZxid } from "../history/event.js";

/** An event as the panel shows it: the recorded fields, its time in seconds, zxids as ZooKeeper people read them. */
export function eventDetail(event: HistoryEvent): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    index: event.index,
    at: `${(event.time / 1e9).toFixed(3)} s`,
    process: event.process,
    type: event.type,
    f: event.f,
  };
  if (event.value !== undefined) detail.value = event.value;
  if (event.session !== undefined) detail.session = event.session;
  if (event.server !== undefined) detail.server = event.server;
  if (event.error !== undefined) detail.error = event.error;
  if (event.stat !== undefined) {
    detail.version = event.stat.version;
    detail.zxid = safeZxid(event.stat.mzxid);
    if (event.stat.czxid !== event.stat.mzxid) detail.createdZxid = safeZxid(event.stat.czxid);
  }
  return detail;
}

/** A zxid in hex epoch:counter, or as recorded when it is not a number. */
function safeZxid(zxid: string): string {
  try {
    return formatZxid(parseZxid(zxid));
  } catch {
    return zxid;
  }
}

/**
 * A `<script type="application/json">` block of the given events by index.
 * Every `<`, `>` and `&` is a JSON escape, so no value can end the block.
 */
export function eventDataScript(
  events: readonly HistoryEvent[],
  indexes: Iterable<number>,
): string {
  const byIndex = new Map(events.map((event) => [event.index, event]));
  const data: Record<number, Record<string, unknown>> = {};
  for (const index of indexes) {
    const event = byIndex.get(index);
    if (event !== undefined) data[index] = eventDetail(event);
  }
  const json = JSON.stringify(data).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `<script type="application/json" id="event-data">${json}</script>`;
}

/**
 * The page's only script: hovering a point with data-ev shows its events in
 * the panel, a click pins them there (a click elsewhere unpins); hovering an
 * anomaly lights up the points that prove it; the type buttons show one
 * operation type's latency at a time. Text only, no markup built.
 */
export const DETAIL_SCRIPT = `<script>
(() => {
  const data = JSON.parse(document.getElementById("event-data").textContent);
  const panel = document.getElementById("event-detail");
  let pinned = false;
  const show = (element) => {
    panel.textContent = element.dataset.ev.split(",")
      .map((index) => JSON.stringify(data[index] ?? { index: Number(index), note: "not embedded" }, null, 1))
      .join("\\n");
    panel.hidden = false;
  };
  document.addEventListener("mouseover", (event) => {
    const point = event.target.closest("[data-ev]");
    if (point && !pinned) show(point);
    const anomaly = event.target.closest(".anomaly[data-proof]");
    const proof = new Set(anomaly ? anomaly.dataset.proof.split(",") : []);
    for (const circle of document.querySelectorAll("circle.proof"))
      circle.classList.toggle("lit", circle.dataset.ev.split(",").some((index) => proof.has(index)));
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-show]");
    if (button) {
      const chart = document.querySelector("#latency svg");
      if (button.dataset.show === "") delete chart.dataset.show;
      else chart.dataset.show = button.dataset.show;
      return;
    }
    const point = event.target.closest("[data-ev]");
    pinned = point !== null;
    if (point) show(point);
    panel.classList.toggle("pinned", pinned);
  });
})();
</script>`;
