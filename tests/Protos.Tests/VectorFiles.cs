using System.Text.Encodings.Web;
using System.Text.Json;

namespace ZonCoin.Protos.Tests;

/// <summary>One vector as stored in the JSON files: a proto full type name and the encoded bytes.</summary>
internal sealed record Vector(string Name, string Type, byte[] Bytes);

/// <summary>Reads and writes the vector files under tests/interop/vectors.</summary>
internal static class VectorFiles
{
    public const string FabricFileName = "fabric-protos-vectors.json";
    public const string CSharpFileName = "csharp-vectors.json";

    private static readonly Lazy<string> RepoRoot = new(FindRepoRoot);

    public static string VectorsDirectory => Path.Combine(RepoRoot.Value, "tests", "interop", "vectors");

    public static string PathOf(string fileName) => Path.Combine(VectorsDirectory, fileName);

    /// <summary>Loads a vector file, keeping the file's order.</summary>
    public static IReadOnlyList<Vector> Load(string fileName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(PathOf(fileName)));
        var list = new List<Vector>();
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var type = property.Value.GetProperty("type").GetString() ?? throw new InvalidDataException($"{property.Name}: no type");
            var base64 = property.Value.GetProperty("base64").GetString() ?? throw new InvalidDataException($"{property.Name}: no base64");
            list.Add(new Vector(property.Name, type, Convert.FromBase64String(base64)));
        }

        return list;
    }

    public static Dictionary<string, byte[]> ToDictionary(IEnumerable<Vector> vectors) =>
        vectors.ToDictionary(v => v.Name, v => v.Bytes, StringComparer.Ordinal);

    /// <summary>Renders vectors exactly as Node's <c>JSON.stringify(v, null, 2) + "\n"</c> does.</summary>
    public static byte[] Render(IEnumerable<Vector> vectors)
    {
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keep '+' in base64 unescaped, like JSON.stringify
        };
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            writer.WriteStartObject();
            foreach (var v in vectors)
            {
                writer.WriteStartObject(v.Name);
                writer.WriteString("type", v.Type);
                writer.WriteString("base64", Convert.ToBase64String(v.Bytes));
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ZonCoin.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no ZonCoin.sln above {AppContext.BaseDirectory}");
    }
}
