import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium, which the HTML tests drive headless (they are skipped without it). */
export const CHROMIUM = "/usr/bin/chromium";

/** Whether this machine has the browser the HTML tests need. */
export const hasChromium = existsSync(CHROMIUM);

/** A headless page and the problems it reported: console errors, page errors, dialogs (dismissed). */
export interface WatchedPage {
  readonly page: Page;
  readonly problems: string[];
}

/**
 * Runs `use` with a fresh page of a headless Chromium that records every
 * console error, uncaught page error and dialog; the browser is closed after.
 */
export async function withWatchedPage<T>(
  use: (watched: WatchedPage) => Promise<T>,
  viewport?: { width: number; height: number },
): Promise<T> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  try {
    const page = await browser.newPage(viewport ? { viewport } : {});
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return await use({ page, problems });
  } finally {
    await browser.close();
  }
}
