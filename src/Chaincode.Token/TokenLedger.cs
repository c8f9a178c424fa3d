using System.Globalization;
using System.Text;
using ZonCoin.Chaincode.Shim;

namespace ZonCoin.Chaincode.Token;

/// <summary>
/// One transaction's view of the token state. Reads see committed state only (Fabric has no read-your-own-writes), so
/// credits and the supply change are collected here and written once by <see cref="FlushAsync"/>; accounts opened in
/// this transaction are remembered so later existence checks see them.
/// </summary>
internal sealed class TokenLedger
{
    private readonly IChaincodeStub _stub;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<string, Int128> _credits = new(StringComparer.Ordinal);
    private readonly HashSet<string> _opened = new(StringComparer.Ordinal);
    private readonly HashSet<string> _debited = new(StringComparer.Ordinal);
    private Int128 _supplyDelta;

    public TokenLedger(IChaincodeStub stub, CancellationToken cancellationToken)
    {
        _stub = stub;
        _cancellationToken = cancellationToken;
    }

    public IChaincodeStub Stub => _stub;

    public string Now => Inputs.FormatTime(_stub.TxTimestamp);

    public async Task<TokenConfig?> TryConfigAsync() => await GetAsync<TokenConfig>(Keys.Config).ConfigureAwait(false);

    public async Task<TokenConfig> ConfigAsync() =>
        await TryConfigAsync().ConfigureAwait(false) ?? throw new InvalidOperationException("ZonCoin is not initialized: call Initialize first");

    public async Task<T?> GetAsync<T>(string key)
        where T : class
    {
        var bytes = await _stub.GetStateAsync(key, _cancellationToken).ConfigureAwait(false);
        return bytes.IsEmpty ? null : Json.Read<T>(bytes);
    }

    public Task PutAsync<T>(string key, T value) => _stub.PutStateAsync(key, Json.Bytes(value), _cancellationToken);

    public Task PutTextAsync(string key, string value) => _stub.PutStateAsync(key, Encoding.UTF8.GetBytes(value), _cancellationToken);

    public async Task<Int128> GetAmountAsync(string key)
    {
        var bytes = await _stub.GetStateAsync(key, _cancellationToken).ConfigureAwait(false);
        return bytes.IsEmpty ? Int128.Zero : ParseStored(bytes, key);
    }

    public async Task<bool> AccountExistsAsync(string account) =>
        _opened.Contains(account) || !(await _stub.GetStateAsync(Keys.Account(account), _cancellationToken).ConfigureAwait(false)).IsEmpty;

    public async Task RequireAccountAsync(string account)
    {
        if (!await AccountExistsAsync(account).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"unknown account {account}");
        }
    }

    /// <summary>Opens <paramref name="account"/> unless it exists; true when it was opened now.</summary>
    public async Task<bool> OpenAsync(string account, string mspId)
    {
        if (await AccountExistsAsync(account).ConfigureAwait(false))
        {
            return false;
        }
        await PutAsync(Keys.Account(account), new AccountRecord(account, mspId, Now)).ConfigureAwait(false);
        _opened.Add(account);
        return true;
    }

    /// <summary>The balance: the base entry plus every credit entry (one range read).</summary>
    public async Task<Int128> BalanceAsync(string account) => (await ReadBalanceAsync(account).ConfigureAwait(false)).Total;

    /// <summary>
    /// Takes <paramref name="amount"/> from <paramref name="account"/>: reads its base and credit entries (the range read
    /// makes a concurrent credit a phantom, so one of the two transactions fails validation), writes the new base and
    /// deletes the credit entries it consolidated.
    /// </summary>
    public async Task DebitAsync(string account, Int128 amount)
    {
        if (!_debited.Add(account))
        {
            throw new InvalidOperationException($"account {account} is debited twice in one transaction");
        }
        var (total, credits) = await ReadBalanceAsync(account).ConfigureAwait(false);
        if (total < amount)
        {
            throw new InvalidOperationException($"insufficient funds: account {account} has {Format(total)}, needs {Format(amount)}");
        }
        await PutTextAsync(Keys.Balance(account), Format(total - amount)).ConfigureAwait(false);
        foreach (var key in credits)
        {
            await _stub.DeleteStateAsync(key, _cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Adds <paramref name="amount"/> to <paramref name="account"/> without reading it (a credit entry keyed by the txid, written at flush).</summary>
    public void Credit(string account, Int128 amount)
    {
        if (amount <= 0)
        {
            throw new InvalidOperationException($"a credit must be positive, got {Format(amount)}");
        }
        _credits[account] = checked(_credits.GetValueOrDefault(account) + amount);
    }

    /// <summary>Changes the total supply by <paramref name="delta"/> (a <c>supply~delta</c> entry keyed by the txid, written at flush).</summary>
    public void ChangeSupply(Int128 delta) => _supplyDelta = checked(_supplyDelta + delta);

    public async Task FlushAsync()
    {
        foreach (var (account, amount) in _credits)
        {
            await PutTextAsync(Keys.Credit(account, _stub.TxId), Format(amount)).ConfigureAwait(false);
        }
        if (_supplyDelta != 0)
        {
            await PutTextAsync(Keys.SupplyDelta(_stub.TxId), Format(_supplyDelta)).ConfigureAwait(false);
        }
    }

    /// <summary>The total supply: the sum of every <c>supply~delta</c> entry.</summary>
    public async Task<Int128> TotalSupplyAsync()
    {
        var total = Int128.Zero;
        await foreach (var entry in _stub.GetStateByPartialCompositeKey(Keys.SupplyDeltaType).WithCancellation(_cancellationToken).ConfigureAwait(false))
        {
            total = checked(total + ParseStored(entry.Value, entry.Key));
        }
        return total;
    }

    public static string Format(Int128 value) => value.ToString(CultureInfo.InvariantCulture);

    private async Task<(Int128 Total, List<string> CreditKeys)> ReadBalanceAsync(string account)
    {
        var total = await GetAmountAsync(Keys.Balance(account)).ConfigureAwait(false);
        var keys = new List<string>();
        await foreach (var entry in _stub.GetStateByPartialCompositeKey(Keys.CreditType, account).WithCancellation(_cancellationToken).ConfigureAwait(false))
        {
            total = checked(total + ParseStored(entry.Value, entry.Key));
            keys.Add(entry.Key);
        }
        return (total, keys);
    }

    private static Int128 ParseStored(ReadOnlyMemory<byte> bytes, string key) =>
        Int128.TryParse(Encoding.UTF8.GetString(bytes.Span), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"corrupt amount at key {key.Replace('\0', '/')}");
}
