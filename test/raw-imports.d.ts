/** Config files imported as text (Vite's `?raw`), for tests that check what is deployed. */
declare module "*.toml?raw" {
  const text: string;
  export default text;
}

/** The dashboard's static header rules and page, imported as text. */
declare module "*/_headers?raw" {
  const text: string;
  export default text;
}
declare module "*.html?raw" {
  const text: string;
  export default text;
}
