// BCJ (branch/call/jump) filters, xz file format section 5.3.2.
//
// Executables are full of relative branch targets: a call to the same function
// from different places has a different operand each time. The encoder rewrites
// the operand of each recognised instruction as an absolute address
// (operand + position of the instruction), so repeated calls become repeated
// bytes; the decoder subtracts the position again.
//
// Every converter here has one shape, the same as liblzma 5.4's so that the
// bytes match xz's exactly:
//
//     convert(buf, count, position, encoding) -> converted
//
// `position` is the stream offset of buf[0] plus the filter's start offset,
// wrapping as a UInt32. The converter walks instruction slots from buf[0] and
// stops before the first slot that does not fit completely; it returns how many
// leading bytes are final. The caller presents the rest again, with more data
// after it, at position + converted. At the end of the stream the unconverted
// tail is passed through unchanged. Because a slot is only ever examined when it
// is complete, the output does not depend on how the input was chunked.
