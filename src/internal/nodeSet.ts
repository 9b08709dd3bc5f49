/**
 * A persistent set of node ids, for a replay's nodes seen: adding a node costs
 * O(log n) and shares the rest, where copying a `Set` per line made a replay
 * quadratic in distinct nodes. It is a `ReadonlySet`, so the replay's public
 * type stays as it was; iteration follows the hashes (the summary sorts).
 * A node is held by its canonical id, so that `'1'` and `1` are one node seen.
 *
 * @internal
 * @module
 */
import { canonicalNodeId, type NodeId } from '../ids'
import * as HM from './hashMap'

const hashOf = (node: NodeId): number => (typeof node === 'number' ? HM.hashNumber(node) : HM.hashString(node))

const add = (map: HM.HashMap<NodeId, NodeId>, node: NodeId): HM.HashMap<NodeId, NodeId> => {
  const key = canonicalNodeId(node)
  return HM.set(map, key, hashOf(key), key)
}

/** A persistent `ReadonlySet` of node ids. */
export class NodeSet implements ReadonlySet<NodeId> {
  private constructor(private readonly map: HM.HashMap<NodeId, NodeId>) {}

  /** The empty set. */
  static readonly empty: NodeSet = new NodeSet(HM.empty)

  /**
   * `set` with `nodes` added: the very same set when none is new. A set that
   * is not a `NodeSet` (a caller's own) is read once into one.
   */
  static addAll(set: ReadonlySet<NodeId>, nodes: readonly NodeId[]): ReadonlySet<NodeId> {
    const start = set instanceof NodeSet ? set : NodeSet.of(set)
    let map = start.map
    for (const node of nodes) map = add(map, node)
    return map === start.map && start === set ? set : new NodeSet(map)
  }

  private static of(nodes: Iterable<NodeId>): NodeSet {
    let map: HM.HashMap<NodeId, NodeId> = HM.empty
    for (const node of nodes) map = add(map, node)
    return new NodeSet(map)
  }

  get size(): number {
    return this.map.size
  }

  has(node: NodeId): boolean {
    const key = canonicalNodeId(node)
    return HM.has(this.map, key, hashOf(key))
  }

  forEach(visit: (value: NodeId, key: NodeId, set: ReadonlySet<NodeId>) => void): void {
    HM.forEach(this.map, (node) => visit(node, node, this))
  }

  *entries(): IterableIterator<[NodeId, NodeId]> {
    for (const node of HM.keys(this.map)) yield [node, node]
  }

  keys(): IterableIterator<NodeId> {
    return HM.keys(this.map)[Symbol.iterator]()
  }

  values(): IterableIterator<NodeId> {
    return this.keys()
  }

  [Symbol.iterator](): IterableIterator<NodeId> {
    return this.keys()
  }
}
