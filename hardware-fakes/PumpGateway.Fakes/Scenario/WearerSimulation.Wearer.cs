using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Scenario;

/// <summary>The wearer: the day's plan, meals and their boluses, reactions to the sensor, the body and the CGM sessions.</summary>
internal sealed partial class WearerSimulation
{
    private readonly double[] _recentGlucose = new double[16];
    private int _minutesLived;
    private DateTime _exerciseUntil;
    private DateTime _lastHypoTreatment = DateTime.MinValue;
    private DateTime _lastBolusAsked = DateTime.MinValue;
    private DateTime _lastCorrection = DateTime.MinValue;
    private DateTime? _lowGlucoseSuspendedAt;

    private int _session;
    private bool _sessionActive;
    private DateTime _warmUpEnd;

    /// <summary>Everything the wearer means to do on one day, drawn at its midnight (at the start for the first day).</summary>
    private void PlanDay(DateTime day)
    {
        foreach (var meal in _meals.OfDay(day))
        {
            PlanMeal(meal);
        }

        if (Chance(_plan, _options.ExercisePerWeek / 7))
        {
            PlanExercise(day);
        }

        if (Chance(_plan, _options.AbsoluteTemporaryBasalsPerWeek / 7))
        {
            var start = day.AddHours(8) + Minutes(_plan, 0, 12 * 60);
            var duration = TimeSpan.FromMinutes(30 * _plan.Next(4, 9));
            var factor = Chance(_plan, 0.5) ? 0.6m : 1.4m;
            var rate = Floor(_options.BasalRates[start.Hour] * factor, _options.BasalResolution);
            Later(start, () => StartTemporaryBasal(TemporaryBasalKind.Absolute, rate, duration));
        }

        if (Chance(_plan, _options.UserSuspendsPerWeek / 7))
        {
            // A forgotten suspension sits between lunch and dinner, so no meal bolus ends it early.
            var forgotten = Chance(_plan, _options.LongSuspensionShare);
            var start = forgotten ? day.AddHours(14) + Minutes(_plan, 0, 30) : day.AddHours(7.5) + Minutes(_plan, 0, 14 * 60);
            var duration = forgotten ? Minutes(_plan, 125, 240) : Minutes(_plan, 10, 60);
            Later(start, () =>
            {
                if (!Stopped && !_changingSet)
                {
                    Stop(SuspendReason.User);
                    At(_now + duration, () => Restart(SuspendReason.User));
                }
            });
        }

        if (Chance(_plan, _options.RandomAlarmsPerWeek / 7))
        {
            var time = day + Minutes(_plan, 0, 24 * 60);
            var kind = _plan.NextDouble() switch
            {
                < 0.45 => AlarmKind.Occlusion,
                < 0.65 => AlarmKind.InfusionSetDetached,
                < 0.80 => AlarmKind.NoDelivery,
                < 0.90 => AlarmKind.AutoOff,
                _ => AlarmKind.PumpError,
            };
            Later(time, () =>
            {
                if (!Stopped && !_changingSet)
                {
                    RaiseWithConsequence(kind, TypicalLasting(kind), detected: true);
                }
            });
        }

        if (Chance(_plan, _options.UndetectedFailuresPerMonth / 30))
        {
            var time = day + Minutes(_plan, 0, 24 * 60);
            var kind = Chance(_plan, 0.7) ? AlarmKind.InfusionSetDetached : AlarmKind.Occlusion;
            var lasting = Minutes(_plan, 120, 360);
            Later(time, () =>
            {
                if (!_changingSet && !_insulinLost)
                {
                    RaiseWithConsequence(kind, lasting, detected: false);
                }
            });
        }

        if (Chance(_plan, _options.ClockChangesPerMonth / 30))
        {
            var time = day.AddHours(8) + Minutes(_plan, 0, 13 * 60);
            var sign = Chance(_plan, 0.5) ? 1 : -1;
            var shift = Chance(_plan, 0.5) ? TimeSpan.FromHours(sign) : TimeSpan.FromSeconds(sign * _plan.Next(60, 900));
            Later(time, () =>
            {
                var old = DeviceNow;
                _clockOffset += shift;
                _basalDirty = true;
                Emit(new ClockChanged(old, Next(), DeviceNow));
            });
        }
    }

    /// <summary>Plans an action of the day unless its time has already passed (the first day starts part way).</summary>
    private void Later(DateTime time, Action action)
    {
        if (time >= _now)
        {
            At(time, action);
        }
    }

    private void PlanMeal(MealEntry meal)
    {
        var slow = Chance(_plan, meal.CarbGrams >= 65 ? 0.5 : 0.1);
        var counted = Math.Max(5, (int)Math.Round(meal.CarbGrams * (1 + (0.12 * Gaussian(_plan)))));
        var behaviour = _plan.NextDouble();
        var late = meal.Time.TimeOfDay >= TimeSpan.FromHours(20);

        // Slow meals get an extended part: dual wave when large or late, otherwise square half the time.
        var type = slow switch
        {
            true when meal.CarbGrams >= 65 || late => BolusType.DualWave,
            true when Chance(_plan, 0.5) => BolusType.Square,
            _ => BolusType.Normal,
        };
        var extended = TimeSpan.FromMinutes(Chance(_plan, 0.5) ? 120 : 180);
        double? cancelAt = Chance(_plan, type == BolusType.Normal ? 0.02 : 0.1) ? 0.2 + (_plan.NextDouble() * 0.6) : null;
        DateTime? bolusAt = behaviour switch
        {
            _ when behaviour < _options.MissedBolusShare => null,
            _ when behaviour < _options.MissedBolusShare + _options.LateBolusShare => meal.Time + Minutes(_plan, 20, 90),
            _ => meal.Time - Minutes(_plan, 0, 15),
        };

        At(meal.Time, () =>
        {
            _diary.Add(new MealEaten(_now, meal.CarbGrams, slow));
            _body.Eat(meal.CarbGrams, slow ? CarbSpeed.Slow : CarbSpeed.Normal);
        });
        if (bolusAt is { } time)
        {
            At(time, () => MealBolus(type, counted, extended, cancelAt, 0));
        }
    }

    /// <summary>The wearer boluses for a meal; while the pump is stopped or busy they try again for up to two hours.</summary>
    private void MealBolus(BolusType type, int carbs, TimeSpan extended, double? cancelAt, int attempt)
    {
        if (Stopped || BolusBusy)
        {
            if (attempt < 12)
            {
                At(_now.AddMinutes(10), () => MealBolus(type, carbs, extended, cancelAt, attempt + 1));
            }

            return;
        }

        _lastBolusAsked = _now;
        ProgramBolus(type, carbs, extended, 0.6m, cancelAt);
    }

    private void PlanExercise(DateTime day)
    {
        var start = day + (Chance(_plan, 0.5) ? Minutes(_plan, 9 * 60, 11 * 60) : Minutes(_plan, 16 * 60, 18.5 * 60));
        var exercise = TimeSpan.FromMinutes(45 + (5 * _plan.Next(0, 10)));
        var lead = Minutes(_plan, 30, 60);
        var duration = TimeSpan.FromMinutes(Math.Clamp(30 * Math.Ceiling((lead + exercise).TotalMinutes / 30), 60, 120));
        var percent = _plan.NextDouble() switch { < 0.7 => 50m, < 0.8 => 40m, < 0.9 => 60m, _ => 70m };
        double? changeAt = Chance(_plan, 0.2) ? 0.3 + (_plan.NextDouble() * 0.4) : null;
        var changeTo = Chance(_plan, 0.5) ? 30m : 70m;
        var cancel = Chance(_plan, 0.25);
        var stopAfter = Minutes(_plan, 0, 10);

        Later(start - lead, () =>
        {
            if (StartTemporaryBasal(TemporaryBasalKind.Relative, percent, duration) is not { } id)
            {
                return;
            }

            if (changeAt is { } fraction)
            {
                At(_now.AddSeconds(Math.Round(duration.TotalSeconds * fraction)), () => ChangeTemporaryBasal(id, changeTo));
            }

            var over = start + exercise + stopAfter;
            if (cancel && over < _now + duration)
            {
                At(over, () => EndTemporaryBasal(id, TemporaryBasalEnding.Cancelled));
            }
        });
        Later(start, () =>
        {
            _diary.Add(new ExerciseStarted(_now, exercise));
            _exerciseUntil = _now + exercise;
        });
    }

    /// <summary>One minute of the wearer's body, fed with the insulin that reached it.</summary>
    private void LiveOneMinute()
    {
        var need = (double)_options.BasalRates[_now.Hour];
        _body.StepMinute(_insulinToBody, need, _now <= _exerciseUntil);
        _insulinToBody = 0;
        _recentGlucose[_minutesLived++ % _recentGlucose.Length] = _body.TrueGlucose;
    }

    /// <summary>A sensor sample: the glucose history, the CGM's readings, and what the wearer does about the value.</summary>
    private void Sample()
    {
        var now = _body.TrueGlucose;
        var rate = _minutesLived >= _recentGlucose.Length ? (now - _recentGlucose[(_minutesLived - 16 + _recentGlucose.Length) % _recentGlucose.Length]) / 15 : 0;
        var sample = new GlucoseSample(_now, (int)Math.Round(Math.Clamp(_body.SensorGlucose, 40, 400)), rate);
        _samples.Add(sample);
        if (_sessionActive && _now >= _warmUpEnd)
        {
            _readings.Add(sample);
        }

        React(sample.MgDl);
    }

    private void React(int glucose)
    {
        if (glucose < 70 && _now - _lastHypoTreatment >= TimeSpan.FromMinutes(20))
        {
            _lastHypoTreatment = _now;
            var grams = 15 + _chance.Next(0, 6);
            _diary.Add(new HypoTreated(_now, grams));
            _body.Eat(grams, CarbSpeed.Rapid);
        }

        if (_lowGlucoseSuspendedAt is { } since)
        {
            if (glucose >= 90 && _now - since >= TimeSpan.FromMinutes(30))
            {
                EndLowGlucoseSuspend(since);
            }
        }
        else if (_options.LowGlucoseSuspend && glucose <= 65 && !Stopped && !_changingSet)
        {
            var at = _now;
            _lowGlucoseSuspendedAt = at;
            Stop(SuspendReason.LowGlucose);
            At(at.AddHours(2), () => EndLowGlucoseSuspend(at));
        }

        // A correction when high: by day above 250, at night only when an alarm above 300 wakes the wearer.
        var high = glucose > 300 || (glucose > 250 && Awake(_now));
        if (high && _now - _lastBolusAsked >= TimeSpan.FromHours(2) && _now - _lastCorrection >= TimeSpan.FromHours(3) && !Stopped && !BolusBusy)
        {
            _lastCorrection = _lastBolusAsked = _now;
            ProgramBolus(BolusType.Normal, 0, TimeSpan.Zero, 1, null);
        }
    }

    /// <summary>With a new set in after a failure, the wearer corrects a high at once.</summary>
    private void CorrectAfterFailure()
    {
        if (_samples.Count > 0 && _samples[^1].MgDl > 200 && !Stopped && !BolusBusy)
        {
            _lastCorrection = _lastBolusAsked = _now;
            ProgramBolus(BolusType.Normal, 0, TimeSpan.Zero, 1, null, overrideActiveInsulin: true);
        }
    }

    private void EndLowGlucoseSuspend(DateTime since)
    {
        if (_lowGlucoseSuspendedAt == since)
        {
            _lowGlucoseSuspendedAt = null;
            Restart(SuspendReason.LowGlucose);
        }
    }

    /// <summary>A new sensor: warm-up, calibrations at the wearer's usual times, the end after the session length, then the next one.</summary>
    private void StartSensorSession()
    {
        var session = ++_session;
        var start = _now;
        var end = start + _options.SensorSession;
        _sessionActive = true;
        _warmUpEnd = start + _options.SensorWarmUp;
        EmitCgm(sequence => new SensorSessionStarted(start, sequence, session));
        var calibrate = _options.CalibrationsPerDay > 0;
        var firstCalibration = _warmUpEnd + Minutes(_plan, 1, 10);
        At(_warmUpEnd, () =>
        {
            EmitCgm(sequence => new SensorWarmUpEnded(_now, sequence, session));
            if (calibrate)
            {
                At(firstCalibration, () => Calibrate(session));
            }
        });

        double[] hours = _options.CalibrationsPerDay == 2 ? [7.5, 19.5] : [7.5];
        for (var day = start.Date; calibrate && day <= end.Date; day = day.AddDays(1))
        {
            foreach (var hour in hours)
            {
                var time = day.AddHours(hour) + Minutes(_plan, 0, 60);
                if (time > firstCalibration.AddMinutes(30) && time < end)
                {
                    At(time, () => Calibrate(session));
                }
            }
        }

        var gap = Minutes(_plan, 10, 45);
        At(end, () =>
        {
            _sessionActive = false;
            EmitCgm(sequence => new SensorSessionEnded(_now, sequence, session));
            At(_now + gap, StartSensorSession);
        });
    }

    private void Calibrate(int session)
    {
        if (_session == session && _sessionActive)
        {
            var meter = (int)Math.Round(Math.Clamp(_body.TrueGlucose * (1 + (0.04 * Gaussian(_chance))), 20, 600));
            EmitCgm(sequence => new SensorCalibrated(_now, sequence, session, meter));
        }
    }
}
