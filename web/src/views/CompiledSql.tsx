// A relation's compiled SQL on its asset page (a column's page shows its relation's): monospace, scrollable,
// with a copy button (the clipboard API needs a secure context; on plain http the text is selected instead,
// so Ctrl+C copies it). When the manifest was not compiled, dbt's raw Jinja SQL is shown, labelled as such.
import { useRef, useState } from 'react';
import type { AssetSql } from '../queries.ts';
import { AssetLink, Badge } from '../ui.tsx';

export function CompiledSql({ sql, assetKey }: { sql: AssetSql; assetKey: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<'copied' | 'selected' | null>(null);
  const raw = sql.kind === 'raw';
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(sql.text);
      setCopied('copied');
    } catch {
      const range = document.createRange();
      if (pre.current) range.selectNodeContents(pre.current);
      window.getSelection()?.removeAllRanges();
      window.getSelection()?.addRange(range);
      setCopied('selected');
    }
  };
  return (
    <div className="card compiled-sql">
      <h2>
        {raw ? 'SQL (raw dbt code, not compiled)' : 'Compiled SQL'}
        {raw && <Badge tone="warned">raw: Jinja not rendered</Badge>}
        {sql.relationKey !== assetKey && (
          <span className="muted">
            of <AssetLink k={sql.relationKey} />
          </span>
        )}
        <span className="muted">
          {sql.lines} lines · {sql.originId}
        </span>
        <button
          type="button"
          onClick={() => void copy()}
          aria-label={`Copy the ${raw ? 'raw' : 'compiled'} SQL`}
        >
          {copied === 'copied' ? 'Copied' : copied === 'selected' ? 'Selected — press Ctrl+C' : 'Copy'}
        </button>
      </h2>
      <pre ref={pre} tabIndex={0} aria-label={`${raw ? 'raw' : 'compiled'} SQL`} data-testid="compiled-sql">
        <code>{sql.text}</code>
      </pre>
    </div>
  );
}
