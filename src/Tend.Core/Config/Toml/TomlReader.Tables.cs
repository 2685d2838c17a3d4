
namespace Tend.Core.Config.Toml;

// Table headers, key/value pairs and values: arrays and inline tables.
internal sealed partial class TomlReader
{
    // ---- tables and key/value pairs ----

    private void ParseTableHeader()
    {
        var start = _pos;
        var (line, column) = PositionOf(start);
        var isArray = Peek(1) == '[';
        _pos += isArray ? 2 : 1;
        SkipWhitespace();
        var parts = ParseKey();
        SkipWhitespace();
        if (isArray)
        {
            if (Peek() != ']' || Peek(1) != ']')
            {
                throw Error(_pos, $"expected ']]' to close the array-of-tables header, found {Describe(Peek())}");
            }

            _pos += 2;
        }
        else
        {
            Expect(']', "to close the table header");
        }

        var table = _root;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetEntry(part.Name, out var entry))
            {
                var (kl, kc) = (part.Line, part.Column);
                var created = new TomlTable(TomlTableOrigin.Implicit, kl, kc);
                table.Add(new TomlEntry(part.Name, created, kl, kc));
                table = created;
            }
            else if (entry.Value is TomlTable existing && !existing.IsSealed)
            {
                table = existing;
            }
            else if (entry.Value is TomlArray { IsArrayOfTables: true } tables)
            {
                table = (TomlTable)tables[^1];
            }
            else
            {
                throw Error(part.Index, $"cannot define a table under \"{JoinKey(parts, i + 1)}\": it is {DescribeExisting(entry.Value)}");
            }
        }

        var last = parts[^1];
        var (keyLine, keyColumn) = (last.Line, last.Column);
        var fullName = JoinKey(parts, parts.Count);
        table.TryGetEntry(last.Name, out var lastEntry);
        if (isArray)
        {
            TomlArray array;
            if (lastEntry is null)
            {
                array = new TomlArray(isArrayOfTables: true, line, column);
                table.Add(new TomlEntry(last.Name, array, keyLine, keyColumn));
            }
            else if (lastEntry.Value is TomlArray { IsArrayOfTables: true } existingArray)
            {
                array = existingArray;
            }
            else
            {
                throw Error(last.Index, $"cannot define array of tables \"{fullName}\": it is already {DescribeExisting(lastEntry.Value)}");
            }

            var element = new TomlTable(TomlTableOrigin.ArrayElement, line, column);
            array.Add(element);
            _current = element;
            return;
        }

        if (lastEntry is null)
        {
            var created = new TomlTable(TomlTableOrigin.Header, line, column);
            table.Add(new TomlEntry(last.Name, created, keyLine, keyColumn));
            _current = created;
        }
        else if (lastEntry.Value is TomlTable { Origin: TomlTableOrigin.Implicit, IsSealed: false } implicitTable)
        {
            implicitTable.Origin = TomlTableOrigin.Header;
            implicitTable.Line = line;
            implicitTable.Column = column;
            _current = implicitTable;
        }
        else
        {
            throw Error(last.Index, $"cannot define table \"{fullName}\": it is already {DescribeExisting(lastEntry.Value)}");
        }
    }

    private static string DescribeExisting(TomlValue value) => value switch
    {
        TomlTable { IsSealed: true } => "an inline table, which cannot be extended",
        TomlTable { Origin: TomlTableOrigin.Header or TomlTableOrigin.ArrayElement } t => $"a table defined at line {t.Line}",
        TomlTable { Origin: TomlTableOrigin.DottedKey } t => $"a table defined by dotted keys at line {t.Line}",
        TomlTable t => $"a table created implicitly at line {t.Line}",
        TomlArray { IsArrayOfTables: true } a => $"an array of tables defined at line {a.Line}",
        _ => $"a value of type {value.Kind} defined at line {value.Line}",
    };

    private void ParseKeyValue(TomlTable target, int depth = 0)
    {
        var keyStart = _pos;
        var parts = ParseKey();
        SkipWhitespace();
        Expect('=', "after the key");
        SkipWhitespace();

        // Each dotted segment but the last adds a level of table nesting, just like an inline table does.
        depth += parts.Count - 1;
        if (depth > MaxNestingDepth)
        {
            throw Error(keyStart, $"tables and arrays are nested more than {MaxNestingDepth} deep");
        }

        var value = ParseValue(depth);

        var table = target;
        for (var i = 0; i < parts.Count - 1; i++)
        {
            var part = parts[i];
            if (!table.TryGetEntry(part.Name, out var entry))
            {
                var (kl, kc) = (part.Line, part.Column);
                var created = new TomlTable(TomlTableOrigin.DottedKey, kl, kc);
                table.Add(new TomlEntry(part.Name, created, kl, kc));
                table = created;
            }
            else if (entry.Value is TomlTable { Origin: TomlTableOrigin.DottedKey, IsSealed: false } dotted)
            {
                table = dotted;
            }
            else
            {
                // Tables from headers (even implicit ones) may not be re-opened with dotted keys; see
                // toml-lang/toml#846.
                throw Error(part.Index, $"cannot add keys to \"{JoinKey(parts, i + 1)}\" with a dotted key: it is {DescribeExisting(entry.Value)}");
            }
        }

        var last = parts[^1];
        if (table.TryGetEntry(last.Name, out var duplicate))
        {
            throw Error(last.Index, $"duplicate key \"{JoinKey(parts, parts.Count)}\": already {DescribeExisting(duplicate.Value)}");
        }

        table.Add(new TomlEntry(last.Name, value, last.Line, last.Column));
    }

    // ---- values ----

    /// <param name="depth">How many tables and arrays enclose the value within the current section.</param>
    private TomlValue ParseValue(int depth)
    {
        if ((Peek() == '[' || Peek() == '{') && depth + 1 > MaxNestingDepth)
        {
            throw Error(_pos, $"tables and arrays are nested more than {MaxNestingDepth} deep");
        }

        var start = _pos;
        var (line, column) = PositionOf(start);
        switch (Peek())
        {
            case '"':
                return new TomlString(
                    Peek(1) == '"' && Peek(2) == '"' ? ParseMultilineBasicString() : ParseBasicString(), line, column);
            case '\'':
                return new TomlString(
                    Peek(1) == '\'' && Peek(2) == '\'' ? ParseMultilineLiteralString() : ParseLiteralString(), line, column);
            case '[':
                return ParseArray(depth + 1, line, column);
            case '{':
                return ParseInlineTable(depth + 1, line, column);
            default:
                return ParseScalar(line, column);
        }
    }

    private TomlArray ParseArray(int depth, int line, int column)
    {
        var open = _pos;
        _pos++;
        var array = new TomlArray(isArrayOfTables: false, line, column);
        while (true)
        {
            SkipWhitespaceCommentsAndNewlines();
            if (Peek() == ']')
            {
                _pos++;
                return array;
            }

            if (Peek() == -1)
            {
                throw Error(open, "unterminated array");
            }

            array.Add(ParseValue(depth));
            SkipWhitespaceCommentsAndNewlines();
            var c = Peek();
            if (c == ',')
            {
                _pos++;
            }
            else if (c != ']')
            {
                throw Error(_pos, $"expected ',' or ']' in array, found {Describe(c)}");
            }
        }
    }

    private TomlTable ParseInlineTable(int depth, int line, int column)
    {
        _pos++;
        var table = new TomlTable(TomlTableOrigin.Inline, line, column);
        SkipWhitespace();
        if (Peek() == '}')
        {
            _pos++;
        }
        else
        {
            while (true)
            {
                SkipWhitespace();
                ParseKeyValue(table, depth);
                SkipWhitespace();
                var c = Peek();
                if (c == '}')
                {
                    _pos++;
                    break;
                }

                if (c != ',')
                {
                    throw Error(_pos, $"expected ',' or '}}' in inline table, found {Describe(c)}");
                }

                _pos++;
            }
        }

        Seal(table);
        return table;
    }

    private static void Seal(TomlTable table)
    {
        if (table.IsSealed)
        {
            return;
        }

        table.IsSealed = true;
        foreach (var entry in table.Entries)
        {
            if (entry.Value is TomlTable child)
            {
                Seal(child);
            }
        }
    }
}
