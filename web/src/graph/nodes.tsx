// The boxes of the lineage graph: a relation with its columns inside (each column a row with its own
// handles, so column edges end on the row), and a group of nodes the server did not draw.
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { useEffect } from 'react';
import { href } from '../lib/route.ts';

export const NODE_WIDTH = 290;
export const HEADER_HEIGHT = 46;
export const ROW_HEIGHT = 22;
export const FOLDED_COLUMNS = 14;

export interface ColumnRow {
  key: string;
  name: string;
  dataType: string | null;
}

export interface RelationData extends Record<string, unknown> {
  keyName: string;
  name: string;
  schema: string | null;
  displayName: string;
  kind: string;
  isRoot: boolean;
  isConsumer: boolean;
  rows: ColumnRow[];
  /** Columns not shown (folded). */
  more: number;
  selected: string | null;
  /** Columns on the selected column's path (null: nothing selected). */
  onPath: Set<string> | null;
  hiddenUpstream: number;
  hiddenDownstream: number;
  openedUpstream: boolean;
  openedDownstream: boolean;
  onSelectColumn: (key: string) => void;
  onToggleOpen: (key: string, direction: 'upstream' | 'downstream') => void;
  onUnfold: (key: string) => void;
}

export function relationHeight(rows: number, more: number): number {
  return HEADER_HEIGHT + rows * ROW_HEIGHT + (more > 0 ? ROW_HEIGHT : 0) + 6;
}

function OpenButton(props: { data: RelationData; direction: 'upstream' | 'downstream' }) {
  const { data, direction } = props;
  const opened = direction === 'upstream' ? data.openedUpstream : data.openedDownstream;
  const hidden = direction === 'upstream' ? data.hiddenUpstream : data.hiddenDownstream;
  if (!opened && hidden === 0) return null;
  const arrow = direction === 'upstream' ? '◀' : '▶';
  const label = opened ? `collapse ${direction} of ${data.displayName}` : `show ${hidden} more ${direction}`;
  return (
    <button
      type="button"
      className={`open-btn ${direction}`}
      aria-label={label}
      title={label}
      onClick={() => data.onToggleOpen(data.keyName, direction)}
    >
      {direction === 'upstream' ? arrow : ''}
      {opened ? '−' : `+${hidden}`}
      {direction === 'downstream' ? arrow : ''}
    </button>
  );
}

export function RelationBox({ id, data }: NodeProps & { data: RelationData }) {
  const update = useUpdateNodeInternals();
  // `update` changes identity on every render: re-measure only when the rows change
  useEffect(() => update(id), [id, data.rows.length]);
  const cls = ['box', data.isRoot ? 'root' : '', data.isConsumer ? 'consumer' : ''].join(' ');
  return (
    <div className={cls} data-key={data.keyName}>
      <Handle type="target" position={Position.Left} id="in:" className="h-node" />
      <Handle type="source" position={Position.Right} id="out:" className="h-node" />
      <div className="box-head">
        <OpenButton data={data} direction="upstream" />
        <a className="box-title nodrag" href={href('asset', data.keyName)} title={data.keyName}>
          {data.schema && <span className="schema">{data.schema}.</span>}
          {data.name}
        </a>
        <span className={`kind kind-${data.kind}`}>{data.kind}</span>
        <OpenButton data={data} direction="downstream" />
      </div>
      <ul className="cols">
        {data.rows.map((c) => {
          const state =
            data.selected === c.key ? 'sel' : data.onPath ? (data.onPath.has(c.key) ? 'on' : 'off') : '';
          return (
            <li key={c.key} className={`col ${state}`}>
              <Handle type="target" position={Position.Left} id={`in:${c.key}`} className="h-col" />
              <button
                type="button"
                className="col-btn nodrag"
                aria-pressed={data.selected === c.key}
                title={`${c.key}${c.dataType ? ` (${c.dataType})` : ''}: select to highlight its column-level path`}
                onClick={() => data.onSelectColumn(c.key)}
              >
                <span className="col-name">{c.name}</span>
                <span className="col-type">{c.dataType ?? ''}</span>
              </button>
              <Handle type="source" position={Position.Right} id={`out:${c.key}`} className="h-col" />
            </li>
          );
        })}
        {data.more > 0 && (
          <li className="col more">
            <button type="button" className="col-btn nodrag" onClick={() => data.onUnfold(data.keyName)}>
              + {data.more} more columns
            </button>
          </li>
        )}
      </ul>
    </div>
  );
}

export interface GroupData extends Record<string, unknown> {
  id: string;
  label: string;
  sample: string[];
  onOpen: (id: string) => void;
}

export const GROUP_WIDTH = 250;
export const GROUP_HEIGHT = 64;

export function GroupBox({ data }: NodeProps & { data: GroupData }) {
  return (
    <div className="box group" title={`e.g. ${data.sample.join(', ')}`}>
      <Handle type="target" position={Position.Left} id="in:" className="h-node" />
      <Handle type="source" position={Position.Right} id="out:" className="h-node" />
      <div className="group-label">{data.label}</div>
      <button type="button" className="linkish nodrag" onClick={() => data.onOpen(data.id)}>
        show some
      </button>
    </div>
  );
}
