using System.Text;

namespace ZonCoin.Protos.Tests;

/// <summary>
/// The fixed field values of the cross-language vectors. tests/interop/vectors/values.js holds the same values
/// for the Node side; the two are written independently and must agree, which the vector tests check.
/// </summary>
internal static class KnownValues
{
    // 2023-11-14T22:13:20.123456789Z and 2023-11-14T22:13:21Z (nanos 0, omitted on the wire).
    public const long TsSeconds = 1700000000;
    public const int TsNanos = 123456789;
    public const long Ts2Seconds = 1700000001;

    public const string Channel = "mychannel";
    public const string CcName = "basic";
    public const string CcVersion = "1.0";
    public const string CcPath = "github.com/zoncoin/basic";
    public const string TxId = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";
    public static readonly string TxId2 = string.Concat(Enumerable.Repeat("ab", 32));
    public const string Msp1 = "Org1MSP";
    public const string Msp2 = "Org2MSP";
    public static readonly byte[] Cert1 = Utf8("-----BEGIN CERTIFICATE-----\nTUlJQnpvbmNvaW5PcmcxQ2xpZW50\n-----END CERTIFICATE-----\n");
    public static readonly byte[] Cert2 = Utf8("-----BEGIN CERTIFICATE-----\nTUlJQnpvbmNvaW5PcmcyUGVlcg==\n-----END CERTIFICATE-----\n");
    public static readonly byte[] Nonce = Pattern(24, 1);
    public static readonly byte[] Sig1 = Pattern(70, 0x30);
    public static readonly byte[] Sig2 = Pattern(71, 0x31);
    public static readonly byte[] Sig3 = Pattern(72, 0x32);
    public static readonly byte[] TlsCertHash = Pattern(32, 10);
    public static readonly byte[] ProposalHash = Pattern(32, 20);
    public static readonly byte[] PreviousHash = Pattern(32, 30);
    public static readonly byte[] DataHash = Pattern(32, 40);

    public const int ChannelHeaderVersion = 1;
    public const ulong ChannelHeaderEpoch = 7;
    public static readonly string[] Args = ["CreateAsset", "asset1", "blue"];
    public const string DecorationKey = "deco";
    public static readonly byte[] DecorationValue = Utf8("decoration-value");
    public const int CcTimeout = 30;

    // Inserted zeta first on the Node side; google-protobuf sorts map keys when it serializes.
    public const string TransientKeyA = "alpha";
    public static readonly byte[] TransientValueA = Utf8("secret-a");
    public const string TransientKeyZ = "zeta";
    public static readonly byte[] TransientValueZ = Utf8("secret-z");
    public static readonly byte[] ProposalExtension = Utf8("proposal-extension");

    public const int ResponseStatus = 200;
    public const string ResponseMessage = "OK \u2013 \u2713 \u00fcn\u00efc\u00f8d\u00e9";
    public static readonly byte[] ResponsePayload = Utf8("{\"ID\":\"asset1\",\"Color\":\"blue\"}");
    public const string EventName = "AssetCreated";
    public static readonly byte[] EventPayload = Utf8("event-payload");
    public const int ProposalResponseVersion = 1;

    public const string ReadKey = "asset1";
    public const ulong ReadBlock = 5;
    public const ulong ReadTx = 2;
    public const string MissingKey = "missing";
    public const string GenesisKey = "genesis";
    public const string RangeStart = "asset0";
    public const string RangeEnd = "asset9";
    public const string RangeRead2Key = "asset2";
    public const ulong RangeRead2Block = 6;
    public const string WriteKey = "asset1";
    public static readonly byte[] WriteValue = Utf8("{\"ID\":\"asset1\",\"Color\":\"blue\"}");
    public const string DeleteKey = "asset3";
    public const string MetaKey = "asset1";
    public const string MetaName = "VALIDATION_PARAMETER";
    public static readonly byte[] MetaValue = Pattern(5, 99);
    public const string Namespace = "basic";
    public const string Namespace2 = "_lifecycle";
    public const string Ns2ReadKey = "namespaces/fields/basic/Sequence";
    public const ulong Ns2ReadBlock = 1;
    public const string Collection = "collection1";
    public static readonly byte[] HashedRwset = Pattern(16, 50);
    public static readonly byte[] PvtRwsetHash = Pattern(32, 60);
    public static readonly string[] InterestCollections = ["collection1", "collection2"];

    public const ulong BlockNumber = 12;
    public const ulong LastConfigIndex = 3;
    public static readonly byte[] TxFilter = [0, 11];
    public static readonly byte[] MetadataValue = Utf8("metadata-value");
    public static readonly byte[] IdentifierHeaderBytes = Pattern(8, 77);
    public static readonly byte[] CommitHash = Pattern(32, 88);

    public static readonly string[] EndorsingOrgs = ["Org1MSP", "Org2MSP"];
    public static readonly string[] TargetOrgs = ["Org2MSP"];
    public const ulong StartBlock = 10;
    public const ulong SeekStart = 5;
    public const ulong SeekStop = 9007199254740991; // 2^53 - 1

    public const string PeerAddress = "peer0.org1.example.com:7051";
    public const string ErrorMessage = "chaincode response 500, asset asset1 already exists";
    public const string BroadcastInfo = "envelope rejected";

    public static readonly byte[] QueryValue = Utf8("{\"ID\":\"asset2\"}");
    public const string QueryId = "query-1";
    public const string Bookmark = "g1AAAAB";
    public const int Fetched = 2;

    /// <summary>Deterministic bytes: b[i] = (seed + 31 * i) mod 256, as <c>pattern</c> in values.js.</summary>
    public static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)((seed + (31 * i)) & 0xff);
        }

        return bytes;
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
