/**
 * How a channel is declared: `channel<Input, Output>()` in its domain's record. The value is empty;
 * only its type matters (the renderer imports types only), and its key is the channel's name.
 */
export interface ChannelSpec<I, O> {
  readonly input?: I;
  readonly output?: O;
}

/** Declares a channel's input and output types. */
export function channel<I = void, O = void>(): ChannelSpec<I, O> {
  return {};
}
