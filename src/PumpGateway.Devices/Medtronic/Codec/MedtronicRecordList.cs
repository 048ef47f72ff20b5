using System.Collections;
using System.Runtime.CompilerServices;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// An immutable list compared by its items, so that records holding raw bytes or repeated entries
/// keep value equality (decode(encode(page)) == page compares them item by item).
/// </summary>
[CollectionBuilder(typeof(MedtronicRecordList), nameof(MedtronicRecordList.Create))]
public sealed class MedtronicRecordList<T> : IReadOnlyList<T>, IEquatable<MedtronicRecordList<T>>
{
    private readonly T[] _items;

    public MedtronicRecordList(IEnumerable<T> items) => _items = [.. items];

    public int Count => _items.Length;

    public T this[int index] => _items[index];

    public ReadOnlySpan<T> AsSpan() => _items;

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    public bool Equals(MedtronicRecordList<T>? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    public override bool Equals(object? obj) => Equals(obj as MedtronicRecordList<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in _items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => _items is byte[] bytes ? Convert.ToHexString(bytes) : "[" + string.Join(", ", _items) + "]";
}

public static class MedtronicRecordList
{
    public static MedtronicRecordList<T> Create<T>(ReadOnlySpan<T> items) => new(items.ToArray());
}
