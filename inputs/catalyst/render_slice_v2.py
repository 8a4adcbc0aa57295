# script-version: 2.0
# Tessera example Catalyst script (ParaView 5.11, version-2 format, written by hand in the
# layout that ParaView's File > Save Catalyst State produces).
#
# Every call it receives (the deck's [catalyst] every_steps / every_dt decides the calls):
#   - renders a pseudocolour image of FIELD to png/frame_NNNNNN.png (2D: the whole domain;
#     3D: the mid-z slice with the domain outline),
#   - writes a slice extract (ghost cells removed) to slice/slice_NNNNNN.vtm: in 2D the line
#     x = mid-domain, in 3D the plane z = mid-domain, each moved by half a cell onto cell
#     centres so that every cut cell carries exactly one solver value.
# Files go under the run's output directory (tessera makes it Catalyst's working directory).
from paraview.simple import *
from paraview import catalyst

FIELD = None            # cell array to colour by; None: the first array the simulation passes
IMAGE_SIZE = [640, 480]
FREQUENCY = 1           # of the calls tessera makes (set the cadence in the deck instead)

# The simulation's data replaces the source registered under the channel name ("input" unless
# [catalyst] channel says otherwise). PVTrivialProducer is what "Save Catalyst State" writes.
input = PVTrivialProducer(registrationName="input")

# Tessera's blocks carry their ghost cells, marked DUPLICATECELL in vtkGhostType: renderers
# skip them; the slice keeps the mark on the cells cut from ghosts, and RemoveGhostInformation
# then drops those cells, so the extract holds each solver cell once.
slice1 = Slice(registrationName="Slice", Input=input)
slice1.SliceType = "Plane"
slice1.Triangulatetheslice = 0
noghost = RemoveGhostInformation(registrationName="SliceNoGhost", Input=slice1)

view = CreateView("RenderView")
view.ViewSize = IMAGE_SIZE
view.OrientationAxesVisibility = 0
view.Background = [1.0, 1.0, 1.0]
try:
    view.UseColorPaletteForBackground = 0
except AttributeError:
    pass

png = CreateExtractor("PNG", view, registrationName="PNG")
png.Trigger = "TimeStep"
png.Trigger.Frequency = FREQUENCY
png.Writer.FileName = "frame_{timestep:06d}.png"
png.Writer.ImageResolution = IMAGE_SIZE
png.Writer.Format = "PNG"

vtm = CreateExtractor("VTM", noghost, registrationName="SliceExtract")
vtm.Trigger = "TimeStep"
vtm.Trigger.Frequency = FREQUENCY
vtm.Writer.FileName = "slice_{timestep:06d}.vtm"

options = catalyst.Options()
options.GlobalTrigger = "TimeStep"
options.ExtractsOutputDirectory = "."
options.EnableCatalystLive = 0

_state = {}


def _grid_info(info):
    """Dimension, cell size and domain centre, from the field data tessera attaches to the
    grid (DomainBounds, CellSize: global values, the same on every rank)."""
    grid = info.dataDescription.GetInputDescriptionByName("input").GetGrid()
    fd = grid.GetFieldData()
    b = [fd.GetArray("DomainBounds").GetValue(i) for i in range(6)]
    spacing = [fd.GetArray("CellSize").GetValue(i) for i in range(3)]
    centre = [(b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2]
    dim3 = b[5] > b[4]
    return dim3, spacing, centre


def _state_bounds(info):
    grid = info.dataDescription.GetInputDescriptionByName("input").GetGrid()
    a = grid.GetFieldData().GetArray("DomainBounds")
    return [a.GetValue(i) for i in range(6)]


def _first_field():
    names = [n for n in input.CellData.keys() if n != "vtkGhostType"]
    return names[0]


def catalyst_execute(info):
    input.UpdatePipeline(info.time)
    if not _state:
        dim3, spacing, centre = _grid_info(info)
        field = FIELD or _first_field()
        if dim3:
            slice1.SliceType.Normal = [0.0, 0.0, 1.0]
            slice1.SliceType.Origin = [centre[0], centre[1], centre[2] + 0.5 * spacing[2]]
            shown = noghost
            # The domain's outline (the blocks' own outlines would include their ghosts).
            b = _state_bounds(info)
            box = Box(registrationName="Domain", XLength=b[1] - b[0], YLength=b[3] - b[2],
                      ZLength=b[5] - b[4], Center=centre)
            outline = Show(box, view)
            outline.SetRepresentationType("Outline")
            outline.ColorArrayName = ["POINTS", ""]
            outline.AmbientColor = outline.DiffuseColor = [0.2, 0.2, 0.2]
        else:
            slice1.SliceType.Normal = [1.0, 0.0, 0.0]
            slice1.SliceType.Origin = [centre[0] + 0.5 * spacing[0], centre[1], centre[2]]
            shown = input
        disp = Show(shown, view)
        ColorBy(disp, ("CELLS", field, "Magnitude"))
        disp.SetScalarBarVisibility(view, True)
        lut = GetColorTransferFunction(field)
        lut.ApplyPreset("Viridis (matplotlib)", True)
        view.ResetCamera()
        if dim3:
            view.CameraPosition = [centre[0] + 2.2, centre[1] - 2.6, centre[2] + 2.4]
            view.CameraFocalPoint = centre
            view.CameraViewUp = [0.0, 0.0, 1.0]
            view.ResetCamera()
        _state.update(field=field, disp=disp, lut=lut)
    # Colour range of this step's data (the image is a snapshot, not a fixed scale).
    _state["disp"].RescaleTransferFunctionToDataRange(False, True)
