using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ZonCoin.Peer.Committer;

namespace ZonCoin.Peer;

/// <summary>The peer's instruments (meter <c>ZonCoin.Peer</c>), exported on the operations endpoint.</summary>
internal sealed class PeerMetrics : IDisposable
{
    public const string MeterName = "ZonCoin.Peer";

    private readonly Meter _meter;
    private readonly Counter<long> _proposals;
    private readonly Histogram<double> _endorsementDuration;
    private readonly Counter<long> _transactions;
    private readonly Counter<long> _blocks;
    private readonly Histogram<double> _validationDuration;
    private readonly Histogram<double> _commitDuration;
    private readonly ConcurrentDictionary<string, Func<long>> _heights = new(StringComparer.Ordinal);
    private Func<long> _chaincodeConnections = () => 0;

    public PeerMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _proposals = _meter.CreateCounter<long>("endorser_proposals", description: "Proposals processed, by response status");
        _endorsementDuration = _meter.CreateHistogram<double>("endorser_proposal_duration", unit: "s", description: "Time to process a proposal");
        _transactions = _meter.CreateCounter<long>("ledger_transactions", description: "Transactions committed, by channel and validation code");
        _blocks = _meter.CreateCounter<long>("ledger_blocks_committed", description: "Blocks committed, by channel");
        _validationDuration = _meter.CreateHistogram<double>("ledger_block_validation_duration", unit: "s", description: "Time to validate a block, by channel");
        _commitDuration = _meter.CreateHistogram<double>("ledger_block_commit_duration", unit: "s", description: "Time to write a validated block and its state, by channel");
        _meter.CreateObservableGauge("ledger_height", () => _heights.Select(pair => new Measurement<long>(pair.Value(), new KeyValuePair<string, object?>("channel", pair.Key))),
            description: "Blocks in each channel's ledger");
        _meter.CreateObservableGauge("chaincode_connections", () => _chaincodeConnections(), description: "Live chaincode connections");
    }

    public void ProposalProcessed(int status, TimeSpan duration)
    {
        _proposals.Add(1, new KeyValuePair<string, object?>("status", status));
        _endorsementDuration.Record(duration.TotalSeconds);
    }

    public void BlockCommitted(string channel, CommittedBlock block)
    {
        ArgumentNullException.ThrowIfNull(block);
        var tag = new KeyValuePair<string, object?>("channel", channel);
        _blocks.Add(1, tag);
        _validationDuration.Record(block.ValidationDuration.TotalSeconds, tag);
        _commitDuration.Record(block.CommitDuration.TotalSeconds, tag);
        foreach (var group in block.Verdicts.GroupBy(v => v.Code))
        {
            _transactions.Add(group.Count(), tag, new KeyValuePair<string, object?>("validation_code", group.Key.ToString()));
        }
    }

    public void TrackHeight(string channel, Func<long> height) => _heights[channel] = height;

    public void TrackChaincodeConnections(Func<long> count) => _chaincodeConnections = count;

    public void Dispose() => _meter.Dispose();
}
