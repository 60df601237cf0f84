/** Config files imported as text (Vite's `?raw`), for tests that check what is deployed. */
declare module "*.toml?raw" {
  const text: string;
  export default text;
}
