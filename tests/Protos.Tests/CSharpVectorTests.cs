using Google.Protobuf;

namespace ZonCoin.Protos.Tests;

/// <summary>
/// Vectors encoded by our C# types (csharp-vectors.json), decoded and checked field by field by
/// tests/interop/test/vectors.test.js with @hyperledger/fabric-protos.
/// </summary>
public sealed class CSharpVectorTests
{
    private static IReadOnlyList<Vector> Build() =>
        [.. CSharpVectors.Build().Select(v => new Vector(v.Name, v.Message.Descriptor.FullName, v.Message.ToByteArray()))];

    [Fact]
    public void Builds_exactly_the_expected_vectors_in_the_fabric_file_order()
    {
        var fabricOrder = VectorFiles.Load(VectorFiles.FabricFileName).Select(v => v.Name);
        Assert.Equal(fabricOrder, Build().Select(v => v.Name));
    }

    [Fact]
    public void Every_csharp_vector_carries_the_known_values()
    {
        var set = VectorFiles.ToDictionary(Build());
        foreach (var name in set.Keys)
        {
            VectorAssertions.ParseAndAssert(name, set);
        }
    }

    [Fact]
    public void Committed_csharp_vectors_file_is_current()
    {
        // The file is regenerated when stale so a local run leaves it current; the test still fails so that a
        // stale committed copy cannot pass CI.
        var expected = VectorFiles.Render(Build());
        var path = VectorFiles.PathOf(VectorFiles.CSharpFileName);
        var committed = File.Exists(path) ? File.ReadAllBytes(path) : [];
        if (!committed.AsSpan().SequenceEqual(expected))
        {
            File.WriteAllBytes(path, expected);
            Assert.Fail($"{path} was stale and has been rewritten; review and commit it.");
        }
    }
}
