using System.Text;
using System.Text.Json.Nodes;
using System.Reflection;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using ZonCoin.Core.Policies;
using ZonCoin.Core.Protocol;
using ZonCoin.Protos.Common;
using ZonCoin.Protos.Config;
using ZonCoin.Protos.Ledger.Rwset;
using ZonCoin.Protos.Ledger.Rwset.Kvrwset;
using ZonCoin.Protos.Msp;
using ZonCoin.Protos.Peer;

namespace ZonCoin.Cli.Inspect;

/// <summary>
/// Renders blocks and envelopes as JSON with every nested layer decoded, like Fabric's
/// <c>configtxlator proto_decode</c>: proto field names, bytes as base64, identities with their PEM text.
/// A layer that does not decode is left as base64 and flagged with <c>"_undecodable"</c>.
/// </summary>
internal static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithFormatEnumsAsIntegers(false));

    public static JsonNode Block(Block block)
    {
        var node = Plain(block);
        var data = new JsonArray();
        foreach (var envelope in block.Data?.Data ?? [])
        {
            data.Add(Nested(envelope, ZonCoin.Protos.Common.Envelope.Parser, Envelope));
        }
        node["data"] = new JsonObject { ["data"] = data };
        var metadata = new JsonArray();
        var slots = block.Metadata?.Metadata ?? [];
        for (var i = 0; i < slots.Count; i++)
        {
            metadata.Add(MetadataSlot((BlockMetadataIndex)i, slots[i]));
        }
        node["metadata"] = new JsonObject { ["metadata"] = metadata };
        return node;
    }

    public static JsonNode Envelope(Envelope envelope)
    {
        var node = Plain(envelope);
        node["payload"] = Nested(envelope.Payload, ZonCoin.Protos.Common.Payload.Parser, PayloadNode);
        return node;
    }

    private static JsonObject PayloadNode(Payload payload)
    {
        var node = Plain(payload);
        if (payload.Header is null)
        {
            return node;
        }
        ChannelHeader? channelHeader = null;
        try
        {
            channelHeader = ChannelHeader.Parser.ParseFrom(payload.Header.ChannelHeader);
        }
        catch (InvalidProtocolBufferException)
        {
        }
        node["header"] = new JsonObject
        {
            ["channel_header"] = Nested(payload.Header.ChannelHeader, ChannelHeader.Parser, ChannelHeaderNode),
            ["signature_header"] = Nested(payload.Header.SignatureHeader, SignatureHeader.Parser, SignatureHeaderNode),
        };
        node["data"] = ((HeaderType?)channelHeader?.Type) switch
        {
            HeaderType.Config => Nested(payload.Data, ConfigEnvelope.Parser, ConfigEnvelopeNode),
            HeaderType.ConfigUpdate => Nested(payload.Data, ConfigUpdateEnvelope.Parser, ConfigUpdateEnvelopeNode),
            HeaderType.EndorserTransaction => Nested(payload.Data, Transaction.Parser, TransactionNode),
            HeaderType.DeliverSeekInfo => Nested(payload.Data, ZonCoin.Protos.Orderer.SeekInfo.Parser, Plain),
            _ => Base64(payload.Data),
        };
        return node;
    }

    private static JsonObject ChannelHeaderNode(ChannelHeader header)
    {
        var node = Plain(header);
        node["type_name"] = ProtoName<HeaderType>(header.Type) ?? "UNKNOWN";
        if (header.Type == (int)HeaderType.EndorserTransaction)
        {
            node["extension"] = Nested(header.Extension, ChaincodeHeaderExtension.Parser, Plain);
        }
        return node;
    }

    private static JsonObject SignatureHeaderNode(SignatureHeader header)
    {
        var node = Plain(header);
        node["creator"] = Identity(header.Creator);
        return node;
    }

    private static JsonNode? Identity(ByteString bytes)
    {
        if (bytes.IsEmpty)
        {
            return null;
        }
        return Nested(bytes, SerializedIdentity.Parser, identity => new JsonObject
        {
            ["mspid"] = identity.Mspid,
            ["id_bytes"] = Encoding.UTF8.GetString(identity.IdBytes.Span),
        });
    }

    private static JsonObject ConfigEnvelopeNode(ConfigEnvelope envelope)
    {
        var node = Plain(envelope);
        if (envelope.Config is not null)
        {
            node["config"] = ChannelConfigNode(envelope.Config);
        }
        if (envelope.LastUpdate is not null)
        {
            node["last_update"] = Envelope(envelope.LastUpdate);
        }
        return node;
    }

    private static JsonObject ConfigUpdateEnvelopeNode(ConfigUpdateEnvelope envelope)
    {
        var node = Plain(envelope);
        node["config_update"] = Nested(envelope.ConfigUpdate, ConfigUpdate.Parser, Plain);
        var signatures = new JsonArray();
        foreach (var signature in envelope.Signatures)
        {
            signatures.Add(new JsonObject
            {
                ["signature_header"] = Nested(signature.SignatureHeader, SignatureHeader.Parser, SignatureHeaderNode),
                ["signature"] = Base64(signature.Signature),
            });
        }
        node["signatures"] = signatures;
        return node;
    }

    /// <summary>A channel config with policies written in Fabric's policy language and MSP certificates as PEM.</summary>
    private static JsonObject ChannelConfigNode(ChannelConfig config)
    {
        var node = Plain(config);
        node["policies"] = PoliciesNode(config.Policies);
        if (config.Application is not null && node["application"] is JsonObject application)
        {
            application["policies"] = PoliciesNode(config.Application.Policies);
            application["organizations"] = OrganizationsNode(config.Application.Organizations);
        }
        if (config.Orderer is not null && node["orderer"] is JsonObject orderer)
        {
            orderer["policies"] = PoliciesNode(config.Orderer.Policies);
            orderer["organizations"] = OrganizationsNode(config.Orderer.Organizations);
        }
        return node;
    }

    private static JsonArray OrganizationsNode(IEnumerable<Organization> organizations)
    {
        var array = new JsonArray();
        foreach (var org in organizations)
        {
            var node = Plain(org);
            node["policies"] = PoliciesNode(org.Policies);
            if (org.Msp is not null && node["msp"] is JsonObject msp)
            {
                msp["root_certs"] = PemList(org.Msp.RootCerts);
                msp["intermediate_certs"] = PemList(org.Msp.IntermediateCerts);
                msp["admins"] = PemList(org.Msp.Admins);
                msp["tls_root_certs"] = PemList(org.Msp.TlsRootCerts);
                msp["tls_intermediate_certs"] = PemList(org.Msp.TlsIntermediateCerts);
            }
            array.Add(node);
        }
        return array;
    }

    private static JsonArray PemList(IEnumerable<ByteString> certificates) =>
        [.. certificates.Select(c => (JsonNode)JsonValue.Create(Encoding.UTF8.GetString(c.Span)))];

    private static JsonObject PoliciesNode(IDictionary<string, Policy> policies)
    {
        var node = new JsonObject();
        foreach (var (name, policy) in policies.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            node[name] = PolicyNode(policy);
        }
        return node;
    }

    private static JsonObject PolicyNode(Policy policy)
    {
        try
        {
            return (Policy.Types.PolicyType)policy.Type switch
            {
                Policy.Types.PolicyType.Signature => new JsonObject
                {
                    ["type"] = "SIGNATURE",
                    ["rule"] = PolicyDsl.Format(Messages.Parse(SignaturePolicyEnvelope.Parser, policy.Value, "Policy.value")),
                },
                Policy.Types.PolicyType.ImplicitMeta => new JsonObject
                {
                    ["type"] = "IMPLICIT_META",
                    ["rule"] = PolicyDsl.FormatImplicitMeta(Messages.Parse(ImplicitMetaPolicy.Parser, policy.Value, "Policy.value")),
                },
                _ => Plain(policy),
            };
        }
        catch (Exception ex) when (ex is MalformedMessageException or PolicyException)
        {
            var node = Plain(policy);
            node["_undecodable"] = ex.Message;
            return node;
        }
    }

    private static JsonObject TransactionNode(Transaction transaction)
    {
        var actions = new JsonArray();
        foreach (var action in transaction.Actions)
        {
            actions.Add(new JsonObject
            {
                ["header"] = Nested(action.Header, SignatureHeader.Parser, SignatureHeaderNode),
                ["payload"] = Nested(action.Payload, ChaincodeActionPayload.Parser, ActionPayloadNode),
            });
        }
        return new JsonObject { ["actions"] = actions };
    }

    private static JsonObject ActionPayloadNode(ChaincodeActionPayload payload)
    {
        var endorsements = new JsonArray();
        foreach (var endorsement in payload.Action?.Endorsements ?? [])
        {
            endorsements.Add(new JsonObject
            {
                ["endorser"] = Identity(endorsement.Endorser),
                ["signature"] = Base64(endorsement.Signature),
            });
        }
        return new JsonObject
        {
            ["chaincode_proposal_payload"] = Nested(payload.ChaincodeProposalPayload, ChaincodeProposalPayload.Parser, cpp =>
            {
                var node = Plain(cpp);
                node["input"] = Nested(cpp.Input, ChaincodeInvocationSpec.Parser, Plain);
                return node;
            }),
            ["action"] = new JsonObject
            {
                ["proposal_response_payload"] = Nested(payload.Action?.ProposalResponsePayload ?? ByteString.Empty, ProposalResponsePayload.Parser, prp =>
                {
                    var node = Plain(prp);
                    node["extension"] = Nested(prp.Extension, ChaincodeAction.Parser, ChaincodeActionNode);
                    return node;
                }),
                ["endorsements"] = endorsements,
            },
        };
    }

    private static JsonObject ChaincodeActionNode(ChaincodeAction action)
    {
        var node = Plain(action);
        node["results"] = Nested(action.Results, TxReadWriteSet.Parser, rwset =>
        {
            var sets = new JsonArray();
            foreach (var ns in rwset.NsRwset)
            {
                var nsNode = Plain(ns);
                nsNode["rwset"] = Nested(ns.Rwset, KVRWSet.Parser, Plain);
                sets.Add(nsNode);
            }
            var result = Plain(rwset);
            result["ns_rwset"] = sets;
            return result;
        });
        node["events"] = action.Events.IsEmpty ? null : Nested(action.Events, ChaincodeEvent.Parser, Plain);
        return node;
    }

    private static JsonObject MetadataSlot(BlockMetadataIndex index, ByteString bytes)
    {
        var node = new JsonObject { ["slot"] = index.ToString() };
        if (bytes.IsEmpty)
        {
            return node;
        }
        switch (index)
        {
            case BlockMetadataIndex.Signatures:
                node["value"] = Nested(bytes, Metadata.Parser, metadata =>
                {
                    var result = Plain(metadata);
                    result["value"] = Nested(metadata.Value, OrdererBlockMetadata.Parser, Plain);
                    var signatures = new JsonArray();
                    foreach (var signature in metadata.Signatures)
                    {
                        var entry = Plain(signature);
                        entry["signature_header"] = Nested(signature.SignatureHeader, SignatureHeader.Parser, SignatureHeaderNode);
                        signatures.Add(entry);
                    }
                    result["signatures"] = signatures;
                    return result;
                });
                break;
            case BlockMetadataIndex.LastConfig:
                node["value"] = Nested(bytes, Metadata.Parser, metadata =>
                {
                    var result = Plain(metadata);
                    result["value"] = Nested(metadata.Value, LastConfig.Parser, Plain);
                    return result;
                });
                break;
            case BlockMetadataIndex.TransactionsFilter:
                var codes = new JsonArray();
                foreach (var code in bytes.Span.ToArray())
                {
                    codes.Add(ProtoName<TxValidationCode>(code) ?? code.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                node["value"] = codes;
                break;
            default:
                node["value"] = Base64(bytes);
                break;
        }
        return node;
    }

    /// <summary>The enum value's name as the .proto declares it (CONFIG, MVCC_READ_CONFLICT), or null if undefined.</summary>
    private static string? ProtoName<T>(int value)
        where T : struct, Enum
    {
        var name = Enum.GetName(typeof(T), value);
        return name is null ? null : typeof(T).GetField(name)?.GetCustomAttribute<OriginalNameAttribute>()?.Name ?? name;
    }

    private static JsonObject Plain(IMessage message) => JsonNode.Parse(Formatter.Format(message))!.AsObject();

    private static JsonValue Base64(ByteString bytes) => JsonValue.Create(bytes.ToBase64());

    private static JsonNode Nested<T>(ByteString bytes, MessageParser<T> parser, Func<T, JsonNode?> render)
        where T : IMessage<T>
    {
        try
        {
            return render(Messages.Parse(parser, bytes, typeof(T).Name)) ?? new JsonObject();
        }
        catch (MalformedMessageException ex)
        {
            return new JsonObject { ["_undecodable"] = ex.Message, ["base64"] = bytes.ToBase64() };
        }
    }
}
