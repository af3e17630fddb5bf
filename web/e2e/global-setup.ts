/**
 * The vitest globalSetup of the `browser` project: makes sure Debian's Chromium is installed
 * (scripts/services/chromium.sh install, apt-get when missing) and fails the run saying why when it
 * cannot be had. The browser tests never skip.
 */
import { existsSync } from 'node:fs';
import { runServiceScript } from '../../scripts/services/service-script.js';
import { CHROMIUM_PATH } from './chromium.js';

export default async function setup(): Promise<void> {
  const install = await runServiceScript('chromium.sh', ['install']);
  if (!install.ok) {
    throw new Error(
      "The browser tests need Debian's Chromium, and `bash scripts/services/chromium.sh install` " +
        `(apt-get install chromium, needs root) failed:\n${install.output}`,
    );
  }
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need ${CHROMIUM_PATH}, which is still missing after ` +
        `\`bash scripts/services/chromium.sh install\`:\n${install.output}`,
    );
  }
}
