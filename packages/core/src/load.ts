/** Load = open conversations assigned to the agent; an agent takes more only below capacity. */
export function hasFreeCapacity(load: number, capacity: number): boolean {
  return load < capacity;
}
