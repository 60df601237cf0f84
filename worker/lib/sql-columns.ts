/**
 * Column maps for Durable Object SQLite tables: one map per row type says
 * which column holds each field and how it is stored, and the INSERT, the
 * patch UPDATE and the row reader are all generated from it. A field added
 * to the map is written and read everywhere at once; nothing repeats the
 * column list by hand.
 *
 * The generated SQL text is cached per set of fields, so the hot path pays
 * for building a statement once per shape, not once per call.
 *
 * @module
 */

/** How one field is stored. */
export interface Column<T> {
  name: string;
  read(value: SqlStorageValue | undefined): T;
  write(value: T): SqlStorageValue;
}

type Row = object;

/** One column per field of `R`. */
export type ColumnMap<R extends Row> = { readonly [K in keyof R]-?: Column<R[K]> };

// Column reads may be undefined under noUncheckedIndexedAccess; the schema guarantees presence.
const nullish = (v: SqlStorageValue | undefined): v is null | undefined => v === null || v === undefined;

/** A TEXT column (a string union when `T` says so: the table's CHECK is the code that writes it). */
export function text<T extends string = string>(name: string): Column<T> {
  return { name, read: (v) => String(v) as T, write: (v) => v };
}

/** A nullable TEXT column. */
export function textOrNull<T extends string = string>(name: string): Column<T | null> {
  return { name, read: (v) => (nullish(v) ? null : (String(v) as T)), write: (v) => v };
}

/** An INTEGER column. */
export function int(name: string): Column<number> {
  return { name, read: (v) => Number(v), write: (v) => v };
}

/** A nullable INTEGER column (epoch milliseconds, counters). */
export function intOrNull(name: string): Column<number | null> {
  return { name, read: (v) => (nullish(v) ? null : Number(v)), write: (v) => v };
}

/** A TEXT column holding JSON. */
export function json<T>(name: string): Column<T> {
  return { name, read: (v) => JSON.parse(String(v)) as T, write: (v) => JSON.stringify(v) };
}

/** A table and its column map: the SQL and the row reader generated from it. */
export class RowType<R extends Row> {
  /** `a, b, c`: the select list of every mapped column. */
  readonly columns: string;
  private readonly fields: readonly (keyof R & string)[];
  private readonly insertSql = new Map<string, string>();
  private readonly updateSql = new Map<string, string>();

  constructor(
    readonly table: string,
    private readonly map: ColumnMap<R>,
  ) {
    this.fields = Object.keys(map) as (keyof R & string)[];
    this.columns = this.fields.map((f) => map[f].name).join(", ");
  }

  /** The column name of a field, for hand-written WHERE clauses. */
  column(field: keyof R & string): string {
    return this.map[field].name;
  }

  /** Reads a row selected with {@link RowType.columns} (or `*`). */
  read(row: Record<string, SqlStorageValue>): R {
    const out: Record<string, unknown> = {};
    for (const f of this.fields) out[f] = this.map[f].read(row[this.map[f].name]);
    return out as R;
  }

  /** Inserts the given fields (the others take the table's defaults). `conflict` appends e.g. `ON CONFLICT DO NOTHING`. */
  insert(sql: SqlStorage, values: Partial<R>, conflict = ""): SqlStorageCursor<Record<string, SqlStorageValue>> {
    const fields = this.fields.filter((f) => f in values);
    const key = `${fields.join(",")}|${conflict}`;
    let text = this.insertSql.get(key);
    if (text === undefined) {
      text = `INSERT INTO ${this.table} (${fields.map((f) => this.map[f].name).join(", ")}) VALUES (${fields.map(() => "?").join(", ")})${conflict ? ` ${conflict}` : ""}`;
      this.insertSql.set(key, text);
    }
    return sql.exec(text, ...fields.map((f) => this.map[f].write(values[f] as R[typeof f])));
  }

  /**
   * Updates the patched fields of the rows matching `where` (a SQL condition
   * with `?` placeholders for `whereArgs`), plus `also` (hand-written
   * assignments such as `version = version + 1`). Returns the rows written.
   */
  update(sql: SqlStorage, patch: Partial<R>, where: string, whereArgs: readonly SqlStorageValue[], also = ""): number {
    const fields = this.fields.filter((f) => f in patch);
    const key = `${fields.join(",")}|${where}|${also}`;
    let text = this.updateSql.get(key);
    if (text === undefined) {
      const sets = [...fields.map((f) => `${this.map[f].name} = ?`), ...(also ? [also] : [])];
      text = `UPDATE ${this.table} SET ${sets.join(", ")} WHERE ${where}`;
      this.updateSql.set(key, text);
    }
    return sql.exec(text, ...fields.map((f) => this.map[f].write(patch[f] as R[typeof f])), ...whereArgs).rowsWritten;
  }
}

/** `'a', 'b'`: a SQL list of string literals, for fragments built from a closed set of values (never user input). */
export function sqlList(values: readonly string[]): string {
  return values.map((v) => `'${v.replace(/'/g, "''")}'`).join(", ");
}
