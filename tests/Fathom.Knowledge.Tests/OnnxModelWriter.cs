using System.Runtime.InteropServices;
using System.Text;

namespace Fathom.Knowledge.Tests;

/// <summary>
/// Writes a minimal ONNX model (protobuf wire format, by hand) that looks like a sentence-transformers
/// export: inputs input_ids, attention_mask, token_type_ids [batch, sequence] int64 and output
/// last_hidden_state [batch, sequence, hidden] = Gather(embedding table, input_ids). So each token's
/// "hidden state" is its row of the table, and the expected sentence vector is easy to compute by hand.
/// </summary>
internal static class OnnxModelWriter
{
    private const int TensorFloat = 1;
    private const int TensorInt64 = 7;

    public static byte[] EmbeddingLookupModel(float[][] table)
    {
        var hidden = table[0].Length;
        var graph = new ProtoWriter()
            .Message(1, Node(["embeddings", "input_ids"], ["last_hidden_state"], "Gather"))
            .String(2, "embedding-lookup")
            .Message(5, FloatTensor("embeddings", [table.Length, hidden], table.SelectMany(r => r).ToArray()))
            .Message(11, ValueInfo("input_ids", TensorInt64, [null, null]))
            .Message(11, ValueInfo("attention_mask", TensorInt64, [null, null]))
            .Message(11, ValueInfo("token_type_ids", TensorInt64, [null, null]))
            .Message(12, ValueInfo("last_hidden_state", TensorFloat, [null, null, hidden]));

        return new ProtoWriter()
            .Varint(1, 8) // ir_version
            .String(2, "fathom-tests") // producer_name
            .Message(7, graph)
            .Message(8, new ProtoWriter().Varint(2, 13)) // opset_import: default domain, version 13
            .ToArray();
    }

    private static ProtoWriter Node(string[] inputs, string[] outputs, string opType)
    {
        var node = new ProtoWriter();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        foreach (var output in outputs)
        {
            node.String(2, output);
        }

        return node.String(3, opType.ToLowerInvariant()).String(4, opType);
    }

    private static ProtoWriter FloatTensor(string name, long[] dims, float[] values)
    {
        var tensor = new ProtoWriter();
        foreach (var dim in dims)
        {
            tensor.Varint(1, (ulong)dim);
        }

        return tensor.Varint(2, TensorFloat).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    // Dimensions: null is a symbolic (dynamic) size.
    private static ProtoWriter ValueInfo(string name, int elementType, int?[] dims)
    {
        var shape = new ProtoWriter();
        for (var i = 0; i < dims.Length; i++)
        {
            shape.Message(1, dims[i] is { } size ? new ProtoWriter().Varint(1, (ulong)size) : new ProtoWriter().String(2, $"d{i}"));
        }

        var tensorType = new ProtoWriter().Varint(1, (ulong)elementType).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }

    private sealed class ProtoWriter
    {
        private readonly MemoryStream _buffer = new();

        public ProtoWriter Varint(int field, ulong value)
        {
            WriteTag(field, 0);
            WriteVarint(value);
            return this;
        }

        public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public ProtoWriter Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public ProtoWriter Bytes(int field, byte[] value)
        {
            WriteTag(field, 2);
            WriteVarint((ulong)value.Length);
            _buffer.Write(value);
            return this;
        }

        public byte[] ToArray() => _buffer.ToArray();

        private void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _buffer.WriteByte((byte)value);
        }
    }
}
