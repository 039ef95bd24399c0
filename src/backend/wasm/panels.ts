// Packed B panels kept in wasm memory between matrix products, for operands that the ops mark
// as unchanged since a version (MatmulArgs.bVersion, given for parameters). Batch-1 inference
// and repeated forward passes then skip copying and repacking the weights.
//
// The panels sit in one region right after the control words and static data (rt.base); every kernel call's scratch arena
// starts where the region ends (rt.scratch, kept up to date here). Slots are never freed one by one: when the region would pass its
// budget, it starts afresh (every slot forgotten, packed again on its next use).

import type { Data } from '../contract.js';
import type { Runtime } from './runtime.js';
import { align } from './scratch.js';

/** Bytes of wasm memory the cached panels may take; a single operand may use a quarter. */
export const PANEL_CACHE_BYTES = 64 << 20;

export interface PanelSlot {
  readonly ptr: number;
  readonly trans: boolean;
  readonly k: number;
  readonly n: number;
  /** The bVersion whose panels the slot holds; -1 until packed. Set only after packing. */
  version: number;
}

export class PanelCache {
  private slots = new WeakMap<Data, PanelSlot[]>();

  constructor(private readonly rt: Runtime) {}

  /**
   * The slot for b's panels packed as (trans, k, n), created when missing (its memory must then
   * be ensured by the caller, as the scratch's). Null when the panels exceed a quarter of the
   * budget: those are packed into the scratch every call.
   */
  slot(b: Data, trans: boolean, k: number, n: number, bytes: number): PanelSlot | null {
    if (bytes > PANEL_CACHE_BYTES / 4) return null;
    let list = this.slots.get(b);
    const found = list?.find((s) => s.trans === trans && s.k === k && s.n === n);
    if (found) return found;
    const rt = this.rt;
    if (rt.scratch + bytes - rt.base > PANEL_CACHE_BYTES) {
      this.slots = new WeakMap();
      rt.scratch = rt.base;
      list = undefined;
    }
    const s: PanelSlot = { ptr: rt.scratch, trans, k, n, version: -1 };
    rt.scratch = align(rt.scratch + bytes);
    if (list) list.push(s);
    else this.slots.set(b, [s]);
    return s;
  }
}
