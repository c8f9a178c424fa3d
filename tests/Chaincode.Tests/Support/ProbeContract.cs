using System.Text;
using ZonCoin.Chaincode.Contracts;

namespace ZonCoin.Chaincode.Tests.Support;

public enum Shade
{
    Light,
    Dark,
}

public sealed record Widget(string Name, int Count, IReadOnlyList<string> Tags);

/// <summary>A contract that exercises the stub and the argument/result conversions.</summary>
public sealed class ProbeContract : Contract
{
    public List<string> Calls { get; } = [];

    public override Task BeforeTransactionAsync(Context context)
    {
        Calls.Add("before:" + context.Function);
        return Task.CompletedTask;
    }

    public override Task AfterTransactionAsync(Context context, object? result)
    {
        Calls.Add("after:" + result);
        return Task.CompletedTask;
    }

    public string Echo(string text) => text;

    public long Add(int a, long b) => a + b;

    public decimal Scale(decimal value, double factor) => value * (decimal)factor;

    public bool Not(bool value) => !value;

    public string Paint(Shade shade) => shade.ToString();

    public Widget Grow(Widget widget) => widget with { Count = widget.Count + 1 };

    public byte[] Raw(byte[] bytes) => [.. bytes.Reverse()];

    public void Nothing()
    {
    }

    public string? Nil() => null;

    [Evaluate]
    public Task<int> Later(int value) => Task.FromResult(value * 2);

    public ValueTask<string> Soon(string value) => ValueTask.FromResult(value + "!");

    public void Fail(string message) => throw new InvalidOperationException(message);

    [Transaction(Name = "Renamed", Submit = false)]
    public string Original() => "renamed";

    [NonTransaction]
    public string Helper() => "not a transaction";

    [Evaluate]
    public string TxInfo(Context ctx) => $"{ctx.Stub.ChannelId}|{ctx.Stub.TxId}|{ctx.Stub.TxTimestamp.ToUnixTimeSeconds()}|{ctx.Stub.Binding.Length}";

    [Evaluate]
    public string Secret(Context ctx, string name) =>
        ctx.Stub.Transient.TryGetValue(name, out var value) ? Encoding.UTF8.GetString(value.Span) : "";

    public async Task SetPolicy(Context ctx, string key, string policy) =>
        await ctx.Stub.SetStateValidationParameterAsync(key, Encoding.UTF8.GetBytes(policy), ctx.CancellationToken);

    [Evaluate]
    public async Task<string> GetPolicy(Context ctx, string key) =>
        Encoding.UTF8.GetString((await ctx.Stub.GetStateValidationParameterAsync(key, ctx.CancellationToken)).Span);

    public async Task<string> CallOther(Context ctx, string chaincode, string function, string arg)
    {
        var response = await ctx.Stub.InvokeChaincodeAsync(chaincode, [Encoding.UTF8.GetBytes(function), Encoding.UTF8.GetBytes(arg)], null, ctx.CancellationToken);
        return $"{response.Status}:{Encoding.UTF8.GetString(response.Payload.Span)}";
    }

    [Evaluate]
    public async Task<string> Read(Context ctx, string key) =>
        Encoding.UTF8.GetString((await ctx.Stub.GetStateAsync(key, ctx.CancellationToken)).Span);
}
