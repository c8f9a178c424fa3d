using System.Globalization;
using ZonCoin.Ledger.State;

namespace ZonCoin.Peer.FaultHost;

/// <summary>
/// Pauses a block between its state write and its savepoint, on demand: when the trigger file exists as a block
/// that wrote rows reaches its savepoint, the hook deletes the trigger, writes the block number to
/// <c>TRIGGER.paused</c> and sleeps inside the open transaction for up to <see cref="Pause"/>, so that the test can
/// kill the process exactly there.
/// </summary>
internal sealed class PauseBeforeSavepoint(string trigger) : IStateWriteHook
{
    /// <summary>How long a paused block waits to be killed before it goes on.</summary>
    private static readonly TimeSpan Pause = TimeSpan.FromMinutes(2);

    public void RowsWritten(ulong blockNumber, int rowsWritten, bool beforeSavepoint)
    {
        if (!beforeSavepoint || rowsWritten == 0 || !File.Exists(trigger))
        {
            return;
        }
        File.Delete(trigger);
        var paused = trigger + ".paused";
        File.WriteAllText(paused + ".tmp", blockNumber.ToString(CultureInfo.InvariantCulture));
        File.Move(paused + ".tmp", paused, overwrite: true);
        Thread.Sleep(Pause);
    }
}
