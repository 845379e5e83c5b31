// A bank's deployment in real Chromium through the browser host: the administrator's policy
// names the servers and the access key, locks the theme and allows agents only. First-run setup
// asks the agent only for what is theirs (staff number, secret, ICWS user and password); Settings
// then shows what the policy sets read-only with "Set by your administrator", in both languages,
// at a narrow window, and offers only the role allowed.

import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserHost, type BrowserHost } from '../../main/host/server';
import { launchCompanion, type Launched } from '../../main/services/launch';
import { diyalogAccount, icwsAccount } from '../../main/services/secrets';
import { startDiyalogSim, type DiyalogSim } from '../../main/sim/diyalog/server';
import { startIcwsSim, type IcwsSim } from '../../main/sim/icws/server';
import { Keychain } from '../../main/store/keychain';
import { axeFindings, collectPageErrors, hasChromium, launchChromium, loadAxe, noteMissingChromium, RENDERER_DIR, requireBuiltRenderer, SCREENSHOTS } from './browser';

noteMissingChromium('policy');

describe.skipIf(!hasChromium)("an administrator's policy in the window", { shuffle: false }, () => {
  let diyalog: DiyalogSim;
  let icws: IcwsSim;
  let launched: Launched;
  let host: BrowserHost;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const keychain = new Keychain(`agent-companion-test-${randomUUID()}`);
  const pageErrors: string[] = [];

  beforeAll(async () => {
    requireBuiltRenderer();
    await mkdir(SCREENSHOTS, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'companion-policy-e2e-'));
    diyalog = await startDiyalogSim({ historySize: 20 });
    icws = await startIcwsSim({ supervisor: false });
    const policyFile = join(dir, 'policy.json');
    await writeFile(
      policyFile,
      JSON.stringify({
        diyalog: { baseUrl: diyalog.url, keyId: diyalog.credentials.keyId },
        icws: { baseUrl: icws.url },
        allowInsecureHttp: false,
        theme: 'dark',
        limits: { roles: ['agent'] },
      }),
    );
    launched = await launchCompanion({
      dataDir: join(dir, 'data'),
      env: { COMPANION_POLICY_FILE: policyFile },
      keychain: () => keychain,
      version: '0.0.0-e2e',
      osLocale: 'en-US',
    });
    host = await startBrowserHost({ handlers: launched.companion.handlers, language: () => launched.companion.language(), rendererDir: RENDERER_DIR });
    launched.companion.subscribe((event, payload) => host.emit(event, payload));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 720, height: 900 }, locale: 'en-US' });
    collectPageErrors(page, pageErrors);
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    await launched?.stop();
    // The test's own keychain service (a random name): its two entries go with it.
    if (diyalog) await keychain.deleteSecret('diyalog', diyalogAccount(diyalog.credentials.keyId, diyalog.url)).catch(() => undefined);
    if (icws) await keychain.deleteSecret('icws', icwsAccount(icws.user.userId, icws.url)).catch(() => undefined);
    await Promise.all([diyalog?.close(), icws?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("first-run setup asks only for what the policy leaves open, and its Save runs the app on the policy's servers", async () => {
    const setup = page.getByTestId('setup');
    await setup.waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('demo-badge').count()).toBe(0);
    for (const label of ['Diyalog URL', 'Access key id', 'ICWS server URL']) expect(await setup.getByLabel(label, { exact: true }).count(), label).toBe(0);
    expect(await setup.locator('.intro').textContent()).toBe('Your administrator has set up the servers. Enter your own details and secrets below, test each connection, and save.');
    // One role allowed: nothing to choose.
    expect(await setup.getByRole('radio').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'policy-setup-720-en.png'), fullPage: true });

    await setup.getByLabel('Your staff number (sicil)').fill(diyalog.staffId);
    await setup.getByLabel('Access key secret').fill(diyalog.credentials.secret);
    await setup.getByLabel('ICWS user').fill(icws.user.userId);
    await setup.getByLabel('ICWS password').fill(icws.user.password);
    await setup.getByRole('button', { name: 'Save and start' }).click();
    await setup.waitFor({ state: 'detached', timeout: 15_000 });
    expect(pageErrors).toEqual([]);
  });

  it('Settings shows what the policy sets read-only, saying who set it, and offers only the allowed role', async () => {
    await page.locator('#tab-settings').click();
    const url = page.getByLabel('Diyalog URL', { exact: true });
    await url.waitFor({ timeout: 10_000 });
    expect(await url.inputValue()).toBe(diyalog.url);
    expect(await url.getAttribute('readonly')).not.toBeNull();
    // The note is the field's description: a screen reader hears it with the field.
    const described = (await url.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`#${described.split(' ').at(-1)}`).textContent()).toBe('Set by your administrator');
    await url.press('End');
    await page.keyboard.type('/elsewhere');
    expect(await url.inputValue()).toBe(diyalog.url);
    expect(await page.getByLabel('Your staff number (sicil)').getAttribute('readonly')).toBeNull();

    expect(await page.getByRole('radio', { name: 'Supervisor' }).isDisabled()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Agent' }).isChecked()).toBe(true);
    expect(await page.getByText('Your administrator allows only: Agent.').isVisible()).toBe(true);
    // The theme the policy sets: shown chosen, not changeable.
    expect(await page.getByRole('radio', { name: 'Dark' }).isChecked()).toBe(true);
    expect(await page.getByRole('radio', { name: 'Light' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('locked-note').count()).toBeGreaterThanOrEqual(4);

    // Saving the whole form keeps working: the locked fields go along unchanged and are not written.
    await page.getByLabel('Your staff number (sicil)').fill(`${diyalog.staffId}`);
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved.' }).waitFor({ timeout: 10_000 });

    await loadAxe(page);
    expect(await axeFindings(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'policy-settings-720-en.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('in Turkish too', async () => {
    await page.getByRole('radio', { name: 'Türkçe' }).check();
    await page.getByText('Sistem yöneticiniz tarafından belirlendi').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'policy-settings-720-tr.png'), fullPage: true });
    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByText('Set by your administrator').first().waitFor({ timeout: 10_000 });
  });
});
