namespace ZonCoin.Orderer.Tests.Support;

/// <summary>
/// A clock that only moves when a test calls <see cref="Advance"/>. Timers fire synchronously on the calling
/// thread when their due time is reached. <see cref="WhenTimerArmedAsync"/> lets a test wait until the code under
/// test has armed a timer, so advancing the clock never races with the timer's creation.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now;
    private TaskCompletionSource _armed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ManualTimeProvider(DateTimeOffset start)
    {
        _now = start;
    }

    public ManualTimeProvider()
        : this(DateTimeOffset.UtcNow)
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Timers with a due time that have not fired (or were re-armed).</summary>
    public int ArmedTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(timer => timer.DueAt is not null);
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Completes once at least one timer is armed.</summary>
    public Task WhenTimerArmedAsync()
    {
        lock (_lock)
        {
            if (_timers.Any(timer => timer.DueAt is not null))
            {
                return Task.CompletedTask;
            }
            if (_armed.Task.IsCompleted)
            {
                _armed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            return _armed.Task;
        }
    }

    /// <summary>Moves the clock forward and fires every timer that falls due, in due-time order.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + by;
        }
        while (true)
        {
            ManualTimer? due;
            lock (_lock)
            {
                due = _timers.Where(timer => timer.DueAt is { } at && at <= target).OrderBy(timer => timer.DueAt).FirstOrDefault();
                if (due is null)
                {
                    _now = target;
                    return;
                }
                _now = due.DueAt!.Value;
                due.DueAt = due.Period is { } period ? _now + period : null;
            }
            due.Fire();
        }
    }

    private void Arm(ManualTimer timer, TimeSpan dueTime, TimeSpan period)
    {
        TaskCompletionSource? armed = null;
        lock (_lock)
        {
            if (!_timers.Contains(timer))
            {
                return;
            }
            timer.DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : _now + dueTime;
            timer.Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
            if (timer.DueAt is not null)
            {
                armed = _armed;
            }
        }
        armed?.TrySetResult();
    }

    private void Remove(ManualTimer timer)
    {
        lock (_lock)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer : ITimer
    {
        private readonly ManualTimeProvider _owner;
        private readonly TimerCallback _callback;
        private readonly object? _state;

        public ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state)
        {
            _owner = owner;
            _callback = callback;
            _state = state;
        }

        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            _owner.Arm(this, dueTime, period);
            return true;
        }

        public void Fire() => _callback(_state);

        public void Dispose() => _owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
