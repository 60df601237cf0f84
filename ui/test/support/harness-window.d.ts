/** What the component harness (ui/test/harness/harness.tsx) puts on `window`, as the tests see it. */
interface Window {
  mountBuilder(templates: never): void;
  mountSettings(props: never): void;
  saved: Record<string, unknown>[];
  settingKeys: string[];
  mountAccountSettings(): void;
  accountLimits: { tokenName: number; passwordMin: number; passwordMax: number };
}
