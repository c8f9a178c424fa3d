using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ZonCoin.Chaincode.Contracts;

/// <summary>
/// Turns transaction arguments (UTF-8 strings on the wire) into parameter values and results into payload bytes,
/// as fabric-contract-api's JSON serializer does: primitives as text, objects as JSON.
/// </summary>
public static class ContractSerializer
{
    /// <summary>
    /// The JSON options used for complex arguments and results: property names as declared, strict numbers. Types
    /// come from the resolvers added with <see cref="AddTypeInfoResolver"/> first, then from reflection.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.General)
    {
        WriteIndented = false,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    /// <summary>
    /// Adds build-time JSON metadata (a <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>) for a
    /// contract's argument and result types, tried before reflection. A natively compiled chaincode host needs it
    /// for every complex type (reflection over a type the compiler did not see may miss code). Call it before the
    /// first transaction; the options cannot change once used.
    /// </summary>
    public static void AddTypeInfoResolver(IJsonTypeInfoResolver resolver)
    {
        ArgumentNullException.ThrowIfNull(resolver);
        if (JsonOptions.IsReadOnly)
        {
            throw new InvalidOperationException("the contract JSON options are in use already: add type info resolvers before the chaincode serves transactions");
        }
        JsonOptions.TypeInfoResolverChain.Insert(0, resolver);
    }

    /// <summary>Converts an argument to <paramref name="type"/>; throws <see cref="FormatException"/> when it does not parse.</summary>
    /// <param name="argument">The raw argument.</param>
    /// <param name="type">The parameter type.</param>
    /// <param name="name">The parameter name, for messages.</param>
    public static object? FromArgument(ReadOnlyMemory<byte> argument, Type type, string name)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type == typeof(byte[]))
        {
            return argument.ToArray();
        }
        if (type == typeof(ReadOnlyMemory<byte>))
        {
            return argument;
        }
        var text = Encoding.UTF8.GetString(argument.Span);
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target != type && text.Length == 0)
        {
            return null;
        }
        try
        {
            return Parse(text, target);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or JsonException or ArgumentException)
        {
            throw new FormatException($"Argument '{name}' with value '{text}' is not a valid {Describe(target)}: {ex.Message}", ex);
        }
    }

    /// <summary>The payload for a result: empty for null, UTF-8 text for strings and primitives, raw bytes for byte arrays, JSON otherwise.</summary>
    /// <param name="result">The value a transaction returned.</param>
    public static byte[] ToPayload(object? result) => result switch
    {
        null => [],
        byte[] bytes => bytes,
        ReadOnlyMemory<byte> memory => memory.ToArray(),
        string text => Encoding.UTF8.GetBytes(text),
        bool flag => Encoding.UTF8.GetBytes(flag ? "true" : "false"),
        Enum value => Encoding.UTF8.GetBytes(value.ToString()),
        IFormattable number when IsNumber(result.GetType()) => Encoding.UTF8.GetBytes(number.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonSerializer.SerializeToUtf8Bytes(result, JsonOptions.GetTypeInfo(result.GetType())),
    };

    private static object? Parse(string text, Type type)
    {
        if (type == typeof(string))
        {
            return text;
        }
        if (type == typeof(bool))
        {
            return bool.Parse(text.Trim());
        }
        if (type.IsEnum)
        {
            return Enum.Parse(type, text, ignoreCase: false);
        }
        if (IsNumber(type))
        {
            return Convert.ChangeType(text, type, CultureInfo.InvariantCulture);
        }
        if (type == typeof(Guid))
        {
            return Guid.Parse(text);
        }
        if (type == typeof(DateTimeOffset))
        {
            return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }
        return JsonSerializer.Deserialize(text, JsonOptions.GetTypeInfo(type));
    }

    internal static bool IsNumber(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(sbyte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort)
        || type == typeof(double) || type == typeof(float) || type == typeof(decimal);

    private static string Describe(Type type) =>
        type == typeof(bool) ? "boolean" : IsNumber(type) ? $"number ({type.Name})" : type.IsEnum ? $"{type.Name} value" : type.Name;
}
