using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Scenario;

/// <summary>The pump: delivery in pulses, stops, boluses, temporary basals, alarms, reservoir, battery, daily totals.</summary>
internal sealed partial class WearerSimulation
{
    private readonly List<(SuspendReason Reason, int Key)> _stops = [];
    private readonly List<ActiveBolus> _boluses = [];
    private readonly List<ActiveBolus> _recentBoluses = [];
    private readonly SortedDictionary<int, OpenAlarm> _openAlarms = [];
    private readonly Dictionary<(DeliveryKind Kind, int BolusId), int> _openDeliveries = [];
    private long _openDeliveriesAfter = -1;

    private (decimal Delivered, decimal Scheduled)? _lastBasal;
    private bool _basalDirty = true;
    private int _basalHour = -1;
    private long _basalMilliPerHour;
    private long _basalAccumulator;

    private ActiveTemporaryBasal? _temporaryBasal;
    private int _temporaryBasalIds;
    private int _bolusIds;
    private int _alarmIds;

    private decimal _reservoir;
    private decimal _reservoirMark;
    private bool _reservoirLowRaised;
    private bool _reservoirEmptyRaised;
    private bool _changingSet;
    private int _setGeneration;

    private DateTime _batteryInstalled;
    private TimeSpan _batteryLife;
    private int _batteryPercent = -1;
    private int _batteryGeneration;
    private bool _batteryLowRaised;
    private bool _batteryEmptyRaised;

    private DateOnly _totalsDay;
    private decimal _dayBasal;
    private decimal _dayBolus;

    /// <summary>Insulin that reached the tissue since the body last lived a minute.</summary>
    private double _insulinToBody;
    private bool _insulinLost;

    private bool Stopped => _stops.Count > 0;

    /// <summary>A bolus is pushing its immediate part: the pump takes no other bolus until it ends.</summary>
    private bool BolusBusy => _boluses.Exists(b => b.Immediate < b.ProgrammedImmediate);

    public PumpStatus Status()
    {
        lock (_gate)
        {
            return new PumpStatus(
                DeviceNow,
                Stopped,
                _reservoir,
                Math.Max(_batteryPercent, 0),
                Volts(Math.Max(_batteryPercent, 0)),
                _lastBasal?.Delivered ?? 0,
                _temporaryBasal?.Id,
                [.. _boluses.Select(b => b.Id)],
                [.. _openAlarms.Keys],
                _dayBasal,
                _dayBolus);
        }
    }

    private void InitialisePump()
    {
        _totalsDay = DateOnly.FromDateTime(_options.Start);
        _batteryLife = Minutes(_plan, 21 * 24 * 60, 28 * 24 * 60);
        _batteryInstalled = _options.Start - Minutes(_plan, 0, 14 * 24 * 60);

        // The history opens with the wearer putting on a fresh reservoir and set.
        At(_options.Start, UpdateBattery);
        At(_options.Start, BeginSetChange);
    }

    /// <summary>At the pump's midnight, the day's totals; a clock set back over midnight keeps adding to the same day.</summary>
    private void CloseDay()
    {
        var device = DeviceNow;
        var day = DateOnly.FromDateTime(device);
        if (day <= _totalsDay)
        {
            return;
        }

        Emit(new DailyTotal(device, Next(), _totalsDay, _dayBasal, _dayBolus));
        _totalsDay = day;
        _dayBasal = _dayBolus = 0;
    }

    private decimal DeliveredBasalRate(decimal scheduled)
    {
        if (Stopped)
        {
            return 0;
        }

        return _temporaryBasal switch
        {
            null => scheduled,
            { Kind: TemporaryBasalKind.Relative } tbr => Floor(scheduled * tbr.Amount / 100, _options.BasalResolution),
            var tbr => tbr.Amount,
        };
    }

    /// <summary>Records a basal rate change when the delivered or the scheduled rate differs from the last one recorded.</summary>
    private void SyncBasal()
    {
        var device = DeviceNow;
        if (!_basalDirty && device.Hour == _basalHour)
        {
            return;
        }

        _basalDirty = false;
        _basalHour = device.Hour;
        var scheduled = _options.BasalRates[device.Hour];
        var delivered = DeliveredBasalRate(scheduled);
        _basalMilliPerHour = (long)(delivered * 1000);
        if (_lastBasal == (delivered, scheduled))
        {
            return;
        }

        _lastBasal = (delivered, scheduled);
        Emit(new BasalRateChanged(device, Next(), delivered, scheduled, device.Hour));
    }

    private void Stop(SuspendReason reason, int key = 0)
    {
        if (_stops.Contains((reason, key)))
        {
            return;
        }

        _stops.Add((reason, key));
        if (_stops.Count > 1)
        {
            return;
        }

        _basalDirty = true;
        Emit(new DeliverySuspended(DeviceNow, Next(), reason));
        foreach (var bolus in _boluses.ToArray())
        {
            EndBolus(bolus, BolusOutcome.Interrupted);
        }

        if (_temporaryBasal is { } tbr)
        {
            EndTemporaryBasal(tbr.Id, TemporaryBasalEnding.DeliveryStopped);
        }
    }

    private void Restart(SuspendReason reason, int key = 0)
    {
        if (!_stops.Remove((reason, key)) || Stopped)
        {
            return;
        }

        _basalDirty = true;
        Emit(new DeliveryResumed(DeviceNow, Next(), reason));
    }

    private void Deliver()
    {
        if (Stopped)
        {
            return;
        }

        if (_basalMilliPerHour > 0)
        {
            _basalAccumulator += _basalMilliPerHour;
            var pulse = _options.BasalResolution;
            var threshold = (long)(pulse * 1000) * 3600;
            if (_basalAccumulator >= threshold)
            {
                _basalAccumulator -= threshold;
                if (Draw(pulse))
                {
                    Delivered(DeliveryKind.Basal, 0, pulse);
                }
            }
        }

        if (_boluses.Count == 0)
        {
            return;
        }

        foreach (var bolus in _boluses.ToArray())
        {
            if (Stopped)
            {
                return;
            }

            StepBolus(bolus);
        }
    }

    private void StepBolus(ActiveBolus bolus)
    {
        var pulse = _options.BolusResolution;
        if (bolus.Immediate < bolus.ProgrammedImmediate)
        {
            bolus.Accumulator += (long)(_options.BolusUnitsPerMinute * 1000);
            var threshold = (long)(pulse * 1000) * 60;
            if (bolus.Accumulator < threshold)
            {
                return;
            }

            bolus.Accumulator -= threshold;
            if (!Draw(pulse))
            {
                return;
            }

            bolus.Immediate += pulse;
            Delivered(DeliveryKind.Bolus, bolus.Id, pulse);
            if (bolus.Immediate == bolus.ProgrammedImmediate && bolus.ProgrammedExtended == 0 && !bolus.Ended)
            {
                EndBolus(bolus, BolusOutcome.Completed);
            }

            return;
        }

        // The extended part: pulse k of n goes at k/n of the duration, so it ends exactly on time.
        bolus.ExtendedElapsed++;
        var due = (long)(bolus.ProgrammedExtended / pulse) * bolus.ExtendedElapsed / bolus.ExtendedSeconds;
        while (bolus.Extended / pulse < due && !bolus.Ended)
        {
            if (!Draw(pulse))
            {
                return;
            }

            bolus.Extended += pulse;
            Delivered(DeliveryKind.Bolus, bolus.Id, pulse);
        }

        if (bolus.ExtendedElapsed >= bolus.ExtendedSeconds && !bolus.Ended)
        {
            EndBolus(bolus, BolusOutcome.Completed);
        }
    }

    /// <summary>Takes a pulse from the reservoir, or raises "reservoir empty" when it cannot.</summary>
    private bool Draw(decimal units)
    {
        if (_reservoir < units)
        {
            ReservoirRanOut();
            return false;
        }

        _reservoir -= units;
        return true;
    }

    /// <summary>Books a pulse already drawn: ledger, day totals, the wearer's tissue, level reports and alarms.</summary>
    private void Delivered(DeliveryKind kind, int bolusId, decimal units)
    {
        if (_openDeliveriesAfter != _sequence)
        {
            _openDeliveries.Clear();
            _openDeliveriesAfter = _sequence;
        }

        var device = DeviceNow;
        if (_openDeliveries.TryGetValue((kind, bolusId), out var index))
        {
            var open = _deliveries[index];
            _deliveries[index] = open with { Units = open.Units + units, To = device };
        }
        else
        {
            _openDeliveries[(kind, bolusId)] = _deliveries.Count;
            _deliveries.Add(new InsulinDelivery(_sequence, kind, bolusId, units, device, device));
        }

        if (kind == DeliveryKind.Prime)
        {
            return;
        }

        if (kind == DeliveryKind.Basal)
        {
            _dayBasal += units;
        }
        else
        {
            _dayBolus += units;
        }

        if (!_insulinLost)
        {
            _insulinToBody += (double)units;
        }

        var mark = Math.Ceiling(_reservoir / _options.ReservoirReportStepUnits);
        if (mark < _reservoirMark)
        {
            _reservoirMark = mark;
            Emit(new ReservoirLevel(device, Next(), _reservoir));
        }

        if (!_reservoirLowRaised && _reservoir <= _options.ReservoirLowUnits)
        {
            _reservoirLowRaised = true;
            Raise(AlarmKind.ReservoirLow);
        }

        if (_reservoir == 0)
        {
            ReservoirRanOut();
        }
    }

    private void ReservoirRanOut()
    {
        if (_reservoirEmptyRaised)
        {
            return;
        }

        _reservoirEmptyRaised = true;
        RaiseWithConsequence(AlarmKind.ReservoirEmpty, TypicalLasting(AlarmKind.ReservoirEmpty), detected: true);
    }

    /// <summary>
    /// Programs a bolus from the calculator: carbs over the carb ratio plus, when high, a correction
    /// less the active insulin (which the wearer overrides after a failure: the pump counts insulin
    /// that never arrived).
    /// </summary>
    private int? ProgramBolus(BolusType type, int carbGrams, TimeSpan extendedDuration, decimal immediateShare, double? cancelAt, bool overrideActiveInsulin = false)
    {
        var resolution = _options.BolusResolution;
        int? glucose = _samples.Count > 0 ? _samples[^1].MgDl : null;
        var active = overrideActiveInsulin ? 0 : ActiveInsulin();
        var carbUnits = Floor(carbGrams / _options.CarbRatioGramsPerUnit, resolution);
        var correction = glucose > _options.CorrectAboveMgDl
            ? Math.Max(0, Floor(((glucose.Value - _options.TargetMgDl) / _options.SensitivityMgDlPerUnit) - active, resolution))
            : 0;
        var total = carbUnits + correction;
        if (total < resolution)
        {
            return null;
        }

        // One extended bolus at a time: a second one is given as a normal bolus.
        if (type != BolusType.Normal && _boluses.Exists(b => b.ProgrammedExtended > 0))
        {
            type = BolusType.Normal;
        }

        var immediate = type switch
        {
            BolusType.Square => 0,
            BolusType.DualWave => Floor(total * immediateShare, resolution),
            _ => total,
        };
        if (immediate == total)
        {
            type = BolusType.Normal;
        }

        var extendedSeconds = type == BolusType.Normal ? 0 : (long)extendedDuration.TotalSeconds;
        var bolus = new ActiveBolus
        {
            Id = ++_bolusIds,
            Type = type,
            ProgrammedImmediate = immediate,
            ProgrammedExtended = total - immediate,
            ExtendedSeconds = extendedSeconds,
            Started = DeviceNow,
            StartedOnAxis = _now,
        };
        Emit(new BolusProgrammed(
            bolus.Started,
            Next(),
            bolus.Id,
            type,
            immediate,
            bolus.ProgrammedExtended,
            TimeSpan.FromSeconds(extendedSeconds),
            new BolusCalculation(carbGrams, glucose, carbUnits, correction, Floor(active, resolution))));
        _boluses.Add(bolus);
        _recentBoluses.Add(bolus);
        if (cancelAt is { } fraction)
        {
            var immediateSeconds = (double)(immediate / _options.BolusUnitsPerMinute) * 60;
            var at = extendedSeconds > 0 ? immediateSeconds + (fraction * extendedSeconds) : fraction * immediateSeconds;
            var id = bolus.Id;
            At(_now.AddSeconds(Math.Max(1, Math.Round(at))), () => CancelBolus(id));
        }

        return bolus.Id;
    }

    private void CancelBolus(int id)
    {
        if (_boluses.Find(b => b.Id == id) is { } bolus)
        {
            EndBolus(bolus, BolusOutcome.Cancelled);
        }
    }

    private void EndBolus(ActiveBolus bolus, BolusOutcome outcome)
    {
        bolus.Ended = true;
        _boluses.Remove(bolus);
        Emit(new BolusDelivered(
            DeviceNow,
            Next(),
            bolus.Id,
            bolus.Started,
            bolus.Type,
            bolus.ProgrammedImmediate,
            bolus.ProgrammedExtended,
            bolus.Immediate,
            bolus.Extended,
            outcome));
    }

    /// <summary>The pump's active insulin: boluses of the last 4 hours, decaying linearly.</summary>
    private decimal ActiveInsulin()
    {
        var window = TimeSpan.FromHours(4);
        _recentBoluses.RemoveAll(b => _now - b.StartedOnAxis >= window);
        return _recentBoluses.Sum(b => (b.Immediate + b.Extended) * (decimal)(1 - ((_now - b.StartedOnAxis) / window)));
    }

    private int? StartTemporaryBasal(TemporaryBasalKind kind, decimal amount, TimeSpan duration)
    {
        if (Stopped || _temporaryBasal is not null)
        {
            return null;
        }

        var tbr = _temporaryBasal = new ActiveTemporaryBasal(++_temporaryBasalIds, kind, _now + duration) { Amount = amount };
        _basalDirty = true;
        Emit(new TemporaryBasalStarted(DeviceNow, Next(), tbr.Id, kind, amount, duration));
        At(tbr.End, () => EndTemporaryBasal(tbr.Id, TemporaryBasalEnding.Completed));
        return tbr.Id;
    }

    private void ChangeTemporaryBasal(int id, decimal amount)
    {
        if (_temporaryBasal is not { } tbr || tbr.Id != id || tbr.Amount == amount)
        {
            return;
        }

        tbr.Amount = amount;
        _basalDirty = true;
        Emit(new TemporaryBasalChanged(DeviceNow, Next(), id, tbr.Kind, amount, tbr.End - _now));
    }

    private void EndTemporaryBasal(int id, TemporaryBasalEnding ending)
    {
        if (_temporaryBasal?.Id != id)
        {
            return;
        }

        _temporaryBasal = null;
        _basalDirty = true;
        Emit(new TemporaryBasalEnded(DeviceNow, Next(), id, ending));
    }

    private static AlarmSeverity SeverityOf(AlarmKind kind) => kind switch
    {
        AlarmKind.PumpError => AlarmSeverity.Critical,
        AlarmKind.Occlusion or AlarmKind.ReservoirEmpty or AlarmKind.BatteryEmpty or AlarmKind.NoDelivery
            or AlarmKind.InfusionSetDetached or AlarmKind.AutoOff => AlarmSeverity.Alarm,
        _ => AlarmSeverity.Warning,
    };

    private static bool StopsDelivery(AlarmKind kind) => kind is AlarmKind.Occlusion or AlarmKind.ReservoirEmpty
        or AlarmKind.BatteryEmpty or AlarmKind.NoDelivery or AlarmKind.PumpError or AlarmKind.AutoOff;

    /// <summary>How long the wearer takes to resolve an alarm when nothing says.</summary>
    private TimeSpan TypicalLasting(AlarmKind kind) => kind switch
    {
        AlarmKind.Occlusion or AlarmKind.ReservoirEmpty => Minutes(_chance, 15, 60),
        AlarmKind.InfusionSetDetached => Minutes(_chance, 15, 90),
        AlarmKind.BatteryEmpty => Minutes(_chance, 10, 40),
        AlarmKind.NoDelivery or AlarmKind.AutoOff or AlarmKind.PumpError => Minutes(_chance, 5, 30),
        _ => Minutes(_chance, 5, 60),
    };

    private int Raise(AlarmKind kind)
    {
        var id = ++_alarmIds;
        var severity = SeverityOf(kind);
        _openAlarms.Add(id, new OpenAlarm(kind, severity));
        Emit(new AlarmChanged(DeviceNow, Next(), id, kind, severity, AlarmTransition.Raised));
        At(_now + (Awake(_now) ? Minutes(_chance, 0.3, 5) : Minutes(_chance, 1, 20)), () => Acknowledge(id));
        if (StopsDelivery(kind))
        {
            Stop(SuspendReason.Alarm, id);
        }

        return id;
    }

    private void Acknowledge(int id)
    {
        if (_openAlarms.TryGetValue(id, out var alarm) && !alarm.Acknowledged)
        {
            alarm.Acknowledged = true;
            Emit(new AlarmChanged(DeviceNow, Next(), id, alarm.Kind, alarm.Severity, AlarmTransition.Acknowledged));
        }
    }

    private void Clear(int id)
    {
        if (_openAlarms.Remove(id, out var alarm))
        {
            Emit(new AlarmChanged(DeviceNow, Next(), id, alarm.Kind, alarm.Severity, AlarmTransition.Cleared));
            Restart(SuspendReason.Alarm, id);
        }
    }

    private void ClearAll(params AlarmKind[] kinds)
    {
        foreach (var (id, _) in _openAlarms.Where(a => kinds.Contains(a.Value.Kind)).ToList())
        {
            Clear(id);
        }
    }

    /// <summary>Raises an alarm (or, undetected, lets the failure happen silently) and has the wearer resolve it after <paramref name="lasting"/>.</summary>
    private void RaiseWithConsequence(AlarmKind kind, TimeSpan lasting, bool detected)
    {
        var due = _now + lasting;
        switch (kind)
        {
            case AlarmKind.Occlusion or AlarmKind.InfusionSetDetached or AlarmKind.ReservoirEmpty:
                // A set that came off, or an occlusion the pump misses, keeps the pump "delivering" into nothing.
                if (kind == AlarmKind.InfusionSetDetached || !detected)
                {
                    StartInsulinLoss(kind, detected);
                }

                if (detected)
                {
                    Raise(kind);
                }

                var set = _setGeneration;
                At(due, () =>
                {
                    if (_setGeneration == set)
                    {
                        BeginSetChange();
                    }
                });
                break;
            case AlarmKind.BatteryEmpty:
                _batteryEmptyRaised = true;
                Raise(kind);
                var battery = _batteryGeneration;
                At(due, () => ReplaceBattery(battery));
                break;
            default:
                var id = Raise(kind);
                At(due, () => Clear(id));
                break;
        }
    }

    private void StartInsulinLoss(AlarmKind cause, bool detected)
    {
        if (!_insulinLost)
        {
            _insulinLost = true;
            _diary.Add(new InsulinLossStarted(_now, cause, detected));
        }
    }

    /// <summary>Suspend, clear what a new set resolves, rewind, fill, prime the tubing, insert and prime the cannula, resume.</summary>
    private void BeginSetChange()
    {
        if (_changingSet)
        {
            return;
        }

        _changingSet = true;
        _setGeneration++;
        Stop(SuspendReason.SetChange);
        var failed = _insulinLost || _openAlarms.Values.Any(a => a.Kind is AlarmKind.Occlusion or AlarmKind.ReservoirEmpty);
        ClearAll(AlarmKind.Occlusion, AlarmKind.InfusionSetDetached, AlarmKind.ReservoirLow, AlarmKind.ReservoirEmpty);
        if (_insulinLost)
        {
            _insulinLost = false;
            _diary.Add(new InsulinLossEnded(_now));
        }

        Emit(new Rewound(DeviceNow, Next()));

        // Mostly every 3 days, sometimes 4 or 5; the wearer fills for that, now and then too little.
        var days = _plan.NextDouble() switch { < 0.7 => 3, < 0.9 => 4, _ => 5 };
        var margin = Chance(_plan, 0.1) ? 0.75 + (_plan.NextDouble() * 0.2) : 1.15 + (_plan.NextDouble() * 0.3);
        var tubing = Math.Round(7m + ((decimal)_plan.NextDouble() * 8m), 1);
        var need = (double)_options.BasalRates.Sum() + (_options.MealsPerDay * 55 / (double)_options.CarbRatioGramsPerUnit) + 2;
        var fill = Math.Min(_options.ReservoirCapacityUnits, Math.Round((decimal)(days * need * margin)) + Math.Ceiling(tubing + _options.CannulaPrimeUnits));

        var time = _now + Between(_chance, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(150));
        At(time, () =>
        {
            _reservoir = fill;
            _reservoirLowRaised = fill <= _options.ReservoirLowUnits;
            _reservoirEmptyRaised = false;
            Emit(new ReservoirFilled(DeviceNow, Next(), fill));
        });
        time += Between(_chance, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90));
        At(time, () => Prime(PrimeTarget.Tubing, tubing));
        time += Between(_chance, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(180));
        At(time, () =>
        {
            Prime(PrimeTarget.Cannula, _options.CannulaPrimeUnits);
            _reservoirMark = Math.Ceiling(_reservoir / _options.ReservoirReportStepUnits);
            Emit(new ReservoirLevel(DeviceNow, Next(), _reservoir));
        });
        time += Between(_chance, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20));
        At(time, () => FinishSetChange(days));
        if (failed)
        {
            At(time + Minutes(_chance, 5, 20), CorrectAfterFailure);
        }
    }

    private void Prime(PrimeTarget target, decimal units)
    {
        if (units > 0 && Draw(units))
        {
            Emit(new Primed(DeviceNow, Next(), target, units));
            Delivered(DeliveryKind.Prime, 0, units);
        }
    }

    private void FinishSetChange(int days)
    {
        _changingSet = false;

        // Whoever suspended before the change, the wearer resumes after it.
        _stops.RemoveAll(s => s.Reason is SuspendReason.User or SuspendReason.LowGlucose);
        _lowGlucoseSuspendedAt = null;
        Restart(SuspendReason.SetChange);
        PlanSetChange(days);
    }

    private void PlanSetChange(int days)
    {
        // Not in the night: late ones move back to the evening before, early-morning ones to breakfast.
        var due = _now.AddDays(days) + Minutes(_plan, -45, 45);
        due = due.Hour switch
        {
            >= 23 => due.Date.AddHours(22.5) + Minutes(_plan, 0, 20),
            < 3 => due.Date.AddHours(-1.5) + Minutes(_plan, 0, 20),
            < 7 => due.Date.AddHours(7.5) + Minutes(_plan, 0, 30),
            _ => due,
        };

        var set = _setGeneration;
        At(due, () =>
        {
            if (_setGeneration == set)
            {
                BeginSetChange();
            }
        });
    }

    /// <summary>Alkaline cell: about 1.55 V new, the pump calls it empty near 1.1 V.</summary>
    private static decimal Volts(int percent) => Math.Round(1.10m + (0.45m * (decimal)Math.Pow(percent / 100.0, 0.7)), 2);

    private void UpdateBattery()
    {
        var age = _now - _batteryInstalled;
        var percent = (int)Math.Clamp(Math.Ceiling(100 * (1 - (age / _batteryLife))), 0, 100);
        if (percent == _batteryPercent)
        {
            return;
        }

        _batteryPercent = percent;
        Emit(new BatteryLevel(DeviceNow, Next(), percent, Volts(percent)));
        if (percent <= 10 && !_batteryLowRaised)
        {
            _batteryLowRaised = true;
            Raise(AlarmKind.BatteryLow);

            // Most wearers change it within a day; some let it run flat.
            if (Chance(_plan, 0.85))
            {
                var battery = _batteryGeneration;
                At(NextAwake(_now + Minutes(_plan, 120, 24 * 60)), () => ReplaceBattery(battery));
            }
        }

        if (percent == 0 && !_batteryEmptyRaised)
        {
            RaiseWithConsequence(AlarmKind.BatteryEmpty, TypicalLasting(AlarmKind.BatteryEmpty), detected: true);
        }
    }

    private void ReplaceBattery(int generation)
    {
        if (generation != _batteryGeneration)
        {
            return;
        }

        _batteryGeneration++;
        _batteryInstalled = _now;
        _batteryLife = Minutes(_plan, 21 * 24 * 60, 28 * 24 * 60);
        _batteryPercent = 100;
        _batteryLowRaised = _batteryEmptyRaised = false;
        Emit(new BatteryReplaced(DeviceNow, Next(), 100, Volts(100)));
        ClearAll(AlarmKind.BatteryLow, AlarmKind.BatteryEmpty);
    }

    private DateTime NextAwake(DateTime time) => time.Hour switch
    {
        < 7 => time.Date.AddHours(7.5) + Minutes(_plan, 0, 45),
        >= 23 => time.Date.AddDays(1).AddHours(7.5) + Minutes(_plan, 0, 45),
        _ => time,
    };

    private sealed class ActiveBolus
    {
        public required int Id { get; init; }

        public required BolusType Type { get; init; }

        public required decimal ProgrammedImmediate { get; init; }

        public required decimal ProgrammedExtended { get; init; }

        public required long ExtendedSeconds { get; init; }

        public required DateTime Started { get; init; }

        public required DateTime StartedOnAxis { get; init; }

        public decimal Immediate { get; set; }

        public decimal Extended { get; set; }

        public long Accumulator { get; set; }

        public long ExtendedElapsed { get; set; }

        public bool Ended { get; set; }
    }

    private sealed class ActiveTemporaryBasal(int id, TemporaryBasalKind kind, DateTime end)
    {
        public int Id { get; } = id;

        public TemporaryBasalKind Kind { get; } = kind;

        public DateTime End { get; } = end;

        public decimal Amount { get; set; }
    }

    private sealed class OpenAlarm(AlarmKind kind, AlarmSeverity severity)
    {
        public AlarmKind Kind { get; } = kind;

        public AlarmSeverity Severity { get; } = severity;

        public bool Acknowledged { get; set; }
    }
}
