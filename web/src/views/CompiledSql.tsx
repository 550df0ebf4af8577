// A relation's compiled SQL on its asset page: monospace, scrollable, with a copy button (the clipboard API
// needs a secure context; on plain http the text is selected instead, so Ctrl+C copies it).
import { useRef, useState } from 'react';
import type { AssetSql } from '../queries.ts';

export function CompiledSql({ sql }: { sql: AssetSql }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState<'copied' | 'selected' | null>(null);
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
        Compiled SQL
        <span className="muted">
          {sql.lines} lines · {sql.originId}
        </span>
        <button type="button" onClick={() => void copy()} aria-label="Copy the compiled SQL">
          {copied === 'copied' ? 'Copied' : copied === 'selected' ? 'Selected — press Ctrl+C' : 'Copy'}
        </button>
      </h2>
      <pre ref={pre} tabIndex={0} aria-label="compiled SQL" data-testid="compiled-sql">
        <code>{sql.text}</code>
      </pre>
    </div>
  );
}
