using ZonCoin.Protos.Common;

namespace ZonCoin.Core.Policies;

/// <summary>
/// Recursive-descent parser for Fabric's signature policy language (see <see cref="PolicyDsl.Parse"/>).
/// Principals are numbered the way Fabric's <c>policydsl.FromString</c> numbers them: a gate's nested gates
/// first, then its own principals left to right (post-order), one entry per occurrence.
/// </summary>
internal sealed class SignaturePolicyParser
{
    private readonly string _text;
    private readonly List<MSPPrincipal> _principals = [];
    private int _pos;

    private SignaturePolicyParser(string text)
    {
        _text = text;
    }

    private enum Gate
    {
        And,
        Or,
        OutOf,
    }

    public static SignaturePolicyEnvelope Parse(string text)
    {
        var parser = new SignaturePolicyParser(text);
        return parser.ParsePolicy();
    }

    private SignaturePolicyEnvelope ParsePolicy()
    {
        SkipSpace();
        if (AtEnd)
        {
            throw Fail("the policy is empty; expected AND(...), OR(...) or OutOf(...)");
        }
        if (Current is '\'' or '"')
        {
            throw Fail("a policy must be a gate such as OR('Org1MSP.member'), not a bare principal");
        }
        var rule = ParseGate();
        SkipSpace();
        if (!AtEnd)
        {
            throw Fail($"unexpected '{Current}' after the end of the policy");
        }
        return PolicyProtos.Envelope(rule, _principals);
    }

    private SignaturePolicy ParseGate()
    {
        var start = _pos;
        var name = ReadWord();
        Gate gate = name switch
        {
            "And" or "and" or "AND" => Gate.And,
            "Or" or "or" or "OR" => Gate.Or,
            "OutOf" or "outof" or "OUTOF" => Gate.OutOf,
            "" => throw Fail($"expected AND, OR or OutOf, found {Found()}"),
            _ => throw Fail($"unknown gate '{name}'; expected And/and/AND, Or/or/OR or OutOf/outof/OUTOF", start),
        };
        SkipSpace();
        Expect('(', $"'(' after {name}");
        var count = 0;
        if (gate == Gate.OutOf)
        {
            SkipSpace();
            count = ReadCount();
            SkipSpace();
            Expect(',', "',' and at least one rule after the count of OutOf");
        }
        var arguments = new List<(string MspId, MSPRole.Types.MSPRoleType Role)?>();
        var nested = new List<SignaturePolicy?>();
        while (true)
        {
            SkipSpace();
            if (Current is '\'' or '"')
            {
                arguments.Add(ReadPrincipal());
                nested.Add(null);
            }
            else if (char.IsAsciiLetter(Current))
            {
                arguments.Add(null);
                nested.Add(ParseGate());
            }
            else
            {
                throw Fail($"expected a principal such as 'Org1MSP.member' or a nested gate, found {Found()}");
            }
            SkipSpace();
            if (Accept(','))
            {
                continue;
            }
            Expect(')', "',' or ')'");
            break;
        }
        // Nested gates have already numbered their principals; this gate's own come after them.
        var rules = new List<SignaturePolicy>(arguments.Count);
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is { } principal)
            {
                _principals.Add(PolicyProtos.RolePrincipal(principal.MspId, principal.Role));
                rules.Add(PolicyProtos.SignedBy(_principals.Count - 1));
            }
            else
            {
                rules.Add(nested[i]!);
            }
        }
        var n = gate switch
        {
            Gate.And => rules.Count,
            Gate.Or => 1,
            _ => count,
        };
        if (n > rules.Count)
        {
            throw Fail($"{name}({n}, ...) has only {rules.Count} rules and could never be satisfied", start);
        }
        return PolicyProtos.NOutOf(n, rules);
    }

    private (string MspId, MSPRole.Types.MSPRoleType Role) ReadPrincipal()
    {
        var start = _pos;
        var quote = Current;
        var end = _text.IndexOf(quote, start + 1);
        if (end < 0)
        {
            throw Fail($"unterminated string starting with {quote}", start);
        }
        var content = _text[(start + 1)..end];
        _pos = end + 1;
        var dot = content.LastIndexOf('.');
        var mspId = dot > 0 ? content[..dot] : "";
        MSPRole.Types.MSPRoleType? role = dot < 0 ? null : content[(dot + 1)..] switch
        {
            "member" => MSPRole.Types.MSPRoleType.Member,
            "admin" => MSPRole.Types.MSPRoleType.Admin,
            "client" => MSPRole.Types.MSPRoleType.Client,
            "peer" => MSPRole.Types.MSPRoleType.Peer,
            "orderer" => MSPRole.Types.MSPRoleType.Orderer,
            _ => null,
        };
        if (role is null || mspId.Length == 0 || !mspId.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-'))
        {
            throw Fail($"'{content}' is not a principal; expected '<MSP ID>.<role>' with role member, admin, client, peer or orderer "
                + "and an MSP ID of letters, digits, '.' and '-'", start);
        }
        return (mspId, role.Value);
    }

    private int ReadCount()
    {
        var start = _pos;
        while (!AtEnd && char.IsAsciiDigit(Current))
        {
            _pos++;
        }
        if (_pos == start)
        {
            throw Fail($"OutOf needs a non-negative integer count as its first argument, found {Found()}");
        }
        if (!int.TryParse(_text.AsSpan(start, _pos - start), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var count))
        {
            throw Fail($"the count {_text[start.._pos]} of OutOf is too large", start);
        }
        return count;
    }

    private string ReadWord()
    {
        var start = _pos;
        while (!AtEnd && char.IsAsciiLetterOrDigit(Current))
        {
            _pos++;
        }
        return _text[start.._pos];
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => AtEnd ? '\0' : _text[_pos];

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(Current))
        {
            _pos++;
        }
    }

    private bool Accept(char c)
    {
        if (Current == c && !AtEnd)
        {
            _pos++;
            return true;
        }
        return false;
    }

    private void Expect(char c, string expected)
    {
        if (!Accept(c))
        {
            throw Fail($"expected {expected}, found {Found()}");
        }
    }

    private string Found() => AtEnd ? "the end of the policy" : $"'{Current}'";

    private PolicyException Fail(string message, int? at = null)
    {
        var position = at ?? _pos;
        return new PolicyException($"invalid signature policy \"{_text}\": {message} (at column {position + 1})", position);
    }
}
