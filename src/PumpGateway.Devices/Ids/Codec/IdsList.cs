using System.Collections;
using System.Runtime.CompilerServices;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// An immutable list compared by its items, so that records holding repeated fields (bolus ids,
/// time blocks) keep value equality; it serializes to JSON as an array.
/// </summary>
[CollectionBuilder(typeof(IdsList), nameof(IdsList.Create))]
public sealed class IdsList<T> : IReadOnlyList<T>, IEquatable<IdsList<T>>
{
    private readonly T[] _items;

    public IdsList(IEnumerable<T> items) => _items = [.. items];

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(IdsList<T>? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as IdsList<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => "[" + string.Join(", ", _items) + "]";
}

public static class IdsList
{
    public static IdsList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}
