/** Vite's `import.meta.glob` (the kit's static checks read plugin sources as text with it). */
interface ImportMeta {
  glob<T = unknown>(pattern: string | readonly string[], options: { query?: string; import?: string; eager: true }): Record<string, T>;
}
